"""Local API Gateway and Lambda emulation that serves template.yaml without Docker."""
