"""`sitegen import wordpress`: WXR export -> content/, static/, sitegen.yaml."""
