"""Custom resource of the stack: applies the layer's migrations on every create and update.

Not an API route: CloudFormation invokes it during a deploy (see DatabaseMigrations in
template.yaml) and a failed migration fails the deploy. Deleting the stack leaves the data.
"""

from loyalty.custom_resource import custom_resource_handler
from loyalty.migrate import migrate_on_deploy

handler = custom_resource_handler(migrate_on_deploy)
