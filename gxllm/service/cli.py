"""``gxllm serve`` and ``gxllm users``: the commands, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.exc import IntegrityError

from gxllm.console import config_error_exits, err, fail_line
from gxllm.store.cli import store_failure_exits

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gxllm.store import User

DbOption = Annotated[str | None, typer.Option("--db", help="store URL (default: sqlite:///./gxllm.db)")]


# The names a browser on this machine reaches the app by.
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Addresses that listen on every interface: no name of their own to allow.
_ANY_ADDRESS = ("0.0.0.0", "::")


def serve_command(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    uploads: Annotated[Path, typer.Option(help="folder for uploaded reports (never served)")] = Path("gxllm-uploads"),
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="a host name the app answers to (repeatable; default: this machine's local names and --host); other Host headers get 400", show_default=False),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option("--forwarded-allow-ips", help="addresses of reverse proxies whose X-Forwarded-For/-Proto to trust (comma-separated, or *); default: none, the client is the connection's peer", show_default=False),
    ] = None,
) -> None:
    """Serve the review web app and the HTTP API (spec at /api/openapi.json)."""
    import uvicorn

    from gxllm.service.app import create_app

    hosts = allowed_host or [*_LOCAL_HOSTS, *([host] if host not in _ANY_ADDRESS else [])]
    with config_error_exits("serve"), store_failure_exits(db):
        app = create_app(db, uploads=uploads, allowed_hosts=hosts)
    err.print(f"gxllm: serving on http://{host}:{port}/ (log in with an account from `gxllm users add`)")
    uvicorn.run(
        app,
        host=host,
        port=port,
        # Proxy headers are anyone's to send: trusted only from the proxies named.
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
    )


users_app = typer.Typer(help="Reviewer accounts and API tokens.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _user(session: Session, command: str, name: str) -> User:
    """The user named ``name``, or the one-line error and exit code 1."""
    from gxllm.store import find_user

    user = find_user(session, name)
    if user is None:
        fail_line(f"users {command}", f"no user named {name!r}")
        raise typer.Exit(code=1)
    return user


@users_app.command("add")
def add_user_command(
    name: Annotated[str, typer.Argument(help="user name to log in with")],
    db: DbOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of standard input")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="an administrator rather than a reviewer")] = False,
) -> None:
    """Add a reviewer account; the password is asked for (or read with --password-stdin)."""
    from gxllm.service.auth import hash_password
    from gxllm.store import BadUsername, add_user, open_store, writing

    password = _read_password(password_stdin)
    if not password:
        fail_line("users add", "the password is empty")
        raise typer.Exit(code=2)
    password_hash = hash_password(password)
    try:
        with store_failure_exits(db), writing(open_store(db)) as session:
            add_user(session, name, password_hash, "admin" if admin else "reviewer")
    except BadUsername as error:
        fail_line("users add", str(error))
        raise typer.Exit(code=2) from None
    except IntegrityError:
        fail_line("users add", f"a user named {name!r} already exists")
        raise typer.Exit(code=1) from None
    err.print(f"gxllm: added {'administrator' if admin else 'reviewer'} {name}", markup=False, highlight=False)


@users_app.command("list")
def list_users_command(db: DbOption = None) -> None:
    """Every account: its role, whether it may log in, and its API tokens in use."""
    from gxllm.service.auth import tokens_in_use
    from gxllm.store import all_users, open_store

    with store_failure_exits(db), open_store(db)() as session:
        for user in all_users(session):
            tokens = tokens_in_use(session, user)
            in_use = (
                f"{len(tokens)} API token{'s' if len(tokens) > 1 else ''} in use: "
                + ", ".join(f"{token.name}, until {token.expires_at:%Y-%m-%d}" for token in tokens)
                if tokens
                else "no API token in use"
            )
            state = "active" if user.active else "disabled"
            sys.stdout.write(f"{user.username} ({user.role}, {state}): {in_use}\n")


def _set_active(db: str | None, name: str, active: bool) -> None:
    from gxllm.store import open_store, writing

    command = "enable" if active else "disable"
    with store_failure_exits(db), writing(open_store(db)) as session:
        _user(session, command, name).active = active
    err.print(f"gxllm: {command}d {name}", markup=False, highlight=False)


@users_app.command("disable")
def disable_user_command(name: Annotated[str, typer.Argument(help="the user")], db: DbOption = None) -> None:
    """Stop an account: it can no longer log in, its sessions end and its API tokens stop working.
    Users are never deleted: the audit trail names them."""
    _set_active(db, name, active=False)


@users_app.command("enable")
def enable_user_command(name: Annotated[str, typer.Argument(help="the user")], db: DbOption = None) -> None:
    """Let a disabled account log in again (its tokens still in use work again)."""
    _set_active(db, name, active=True)


@users_app.command("token")
def token_command(
    name: Annotated[str, typer.Argument(help="the user the token acts as")],
    db: DbOption = None,
    label: Annotated[str, typer.Option(help="what the token is for")] = "api",
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650, help="days until the token expires (default 90)", show_default=False)] = None,
) -> None:
    """Issue an API token for a user and print it (it is shown only this once)."""
    from gxllm.service.auth import issue_api_token
    from gxllm.store import open_store, writing

    with store_failure_exits(db), writing(open_store(db)) as session:
        token = issue_api_token(session, _user(session, "token", name), label, timedelta(days=days) if days else None)
    sys.stdout.write(token + "\n")


@users_app.command("revoke-token")
def revoke_token_command(
    name: Annotated[str, typer.Argument(help="the user whose tokens to revoke")],
    db: DbOption = None,
    label: Annotated[str | None, typer.Option(help="only the tokens issued with this label (default: all)", show_default=False)] = None,
) -> None:
    """Revoke a user's API tokens in use, all of them or those of one label."""
    from gxllm.service.auth import revoke_api_tokens
    from gxllm.store import open_store, writing

    with store_failure_exits(db), writing(open_store(db)) as session:
        revoked = revoke_api_tokens(session, _user(session, "revoke-token", name), label)
    err.print(f"gxllm: revoked {revoked} API token{'' if revoked == 1 else 's'} of {name}", markup=False, highlight=False)
