"""The commands that are neither a build stage nor a server: `init`, `new`, `bundle`."""
