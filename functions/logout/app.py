"""POST /api/logout: revoke the token the request carries."""

from loyalty import accounts
from loyalty.api import caller_token, create_app, lambda_handler

app = create_app()


@app.post("/api/logout")
def logout() -> dict:
    accounts.logout(caller_token(app))
    return {"detail": "Logged out."}


handler = lambda_handler(app)
