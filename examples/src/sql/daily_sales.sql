-- Sales per day and region, from the cleaned sales table.
select
    cast(date as date) as day,
    region,
    sum(amount) as total_amount,
    count(*) as orders
from {{ ref('sales') }}
group by 1, 2
order by 1, 2
