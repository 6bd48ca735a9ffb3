"""POST /api/logout: revoke the token the request carries."""

from loyalty import accounts, errors
from loyalty.api import caller_token, create_app, lambda_handler
from loyalty.routes import AUTHENTICATED, TOKEN_FAILURES, responses

app = create_app()


@app.post(
    "/api/logout",
    summary="Log out",
    operation_id="logout",
    tags=["Accounts"],
    security=AUTHENTICATED,
    responses=responses(
        200, "LoggedOut", errors.FieldError, *TOKEN_FAILURES, errors.DatabaseUnavailableError
    ),
)
def logout() -> dict:
    accounts.logout(caller_token(app))
    return {"detail": "Logged out."}


handler = lambda_handler(app)
