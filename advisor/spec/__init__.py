"""The project spec: what a team tells the advisor about its project (YAML in, pydantic model out)."""
