"""What the API's and the pages' handlers are given (FastAPI dependencies): a store session, the
app's settings, its upload jobs and its log-in throttle, and the user a request comes from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from gxllm.service.auth import api_user, csrf_matches, current_session
from gxllm.service.jobs import Jobs
from gxllm.service.throttle import LoginThrottle
from gxllm.settings import Settings
from gxllm.store import User, WebSession


def db(request: Request) -> Iterator[Session]:
    """A store session for one request; handlers commit what they change themselves,
    before they answer, so a reply never reports a change that is not yet saved."""
    with request.app.state.sessions() as session:
        yield session


Db = Annotated[Session, Depends(db)]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(_settings)]


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


UploadJobs = Annotated[Jobs, Depends(_jobs)]


def _login_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


Throttle = Annotated[LoginThrottle, Depends(_login_throttle)]


def token_user(session: Db, authorization: Annotated[str | None, Header()] = None) -> User:
    """The user an API call's ``Authorization: Bearer TOKEN`` names; 401 without a valid token."""
    user = api_user(session, authorization)
    if user is None:
        raise HTTPException(401, "a valid API token is required: Authorization: Bearer TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


ApiUser = Annotated[User, Depends(token_user)]


class LoginRequired(Exception):
    """Raised by a page that needs a reviewer; answered with the log-in page."""


def reviewer(request: Request, session: Db) -> WebSession:
    web = current_session(session, request)
    if web is None:
        raise LoginRequired
    return web


Reviewer = Annotated[WebSession, Depends(reviewer)]


async def checked_reviewer(request: Request, web: Reviewer) -> WebSession:
    """The reviewer of a request that changes something, which must carry the session's CSRF token."""
    submitted = request.headers.get("x-csrf-token")
    if submitted is None:
        submitted = (await request.form()).get("csrf_token")  # type: ignore[assignment]
    if not csrf_matches(web.csrf_token, submitted):
        raise HTTPException(403, "表单已失效（CSRF 校验失败），请刷新页面后重试")
    return web


CheckedReviewer = Annotated[WebSession, Depends(checked_reviewer)]
