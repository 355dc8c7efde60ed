"""The local executor: a run's handler executes in a child process of this interpreter.

Files of a run live under the backend's data folder (`Backend.data_dir()`; for the embedded backend
the folder of its database file, `.dhsync/` by default):

    logs/<run-id>.log             stdout and stderr of the handler, readable while it runs
    artifacts/<run-id>/<name>/    outputs of the run, keyed `store://<project>/artifact/artifact/<name>:<run-id>`
    work/<run-id>/                the handler's working folder and code while it runs (removed after)

Git sources are cloned once per URL and ref into the user's cache (`$DHSYNC_CACHE_DIR`, else
`$XDG_CACHE_HOME/dhsync`, else `~/.cache/dhsync`).
"""
