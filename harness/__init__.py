"""Conformance harness of the HttpSendHttpResponse specification project."""
