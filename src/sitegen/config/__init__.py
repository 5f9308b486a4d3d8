"""sitegen.yaml -> a frozen, checked Config; YAML read with line numbers."""
