"""The exchange interop protocol (interop-v1.md): the HTTP API we serve and the client we call peers with."""
