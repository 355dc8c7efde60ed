"""The handler of the `hello` function: dhsync passes the run's parameters as keyword arguments."""


def hello(name: str = "world") -> tuple[str, int]:
    greeting = f"Hello, {name}!"
    print(greeting)
    return greeting, len(name)
