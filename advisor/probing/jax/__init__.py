"""JAX's probe child: the workloads as plain JAX functions, the backend, JAX's deployment route table,
and the int8 LiteRT conversion it runs in a process of its own. Imported only inside the JAX child."""
