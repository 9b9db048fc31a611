"""The `ballot` command line (`main`) and the server launcher (`serve`): thin shells over the
services, the pure core and the clients."""
