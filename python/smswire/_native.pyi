# Stubs of the Rust extension `smswire._native` (rust/python/). Keep them in
# step with the bindings: this file is the contract mypy and users see.
