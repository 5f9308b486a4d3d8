"""`sitegen check`: a build's problems plus links that lead nowhere."""
