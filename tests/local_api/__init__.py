"""Tests of the local API server (tools/local_api) on a fixture template of their own."""
