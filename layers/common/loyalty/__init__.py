"""The shared layer of the loyalty API.

Every function of the API imports its work from here: settings, the database connection and
migrations, token and password handling, the tier rule, the domain operations, and the one
table that turns errors into problem documents. Functions stay thin: parse, call, answer.
"""
