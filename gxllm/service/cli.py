"""``gxllm serve`` and ``gxllm users``: the commands, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from gxllm.console import err

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
    err.print(f"gxllm: serving on http://{host}:{port}/ (log in with an account from `gxllm users add`)")
    uvicorn.run(
        create_app(db, uploads=uploads, allowed_hosts=hosts),
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


@users_app.command("add")
def add_user_command(
    name: Annotated[str, typer.Argument(help="user name to log in with")],
    db: DbOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from the first line of standard input")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="an administrator rather than a reviewer")] = False,
) -> None:
    """Add a reviewer account; the password is asked for (or read with --password-stdin)."""
    from gxllm.service.auth import hash_password
    from gxllm.store import add_user, open_store

    password = _read_password(password_stdin)
    if not password:
        err.print("[red]gxllm: users add: the password is empty[/red]")
        raise typer.Exit(code=2)
    with open_store(db)() as session:
        try:
            add_user(session, name, hash_password(password), "admin" if admin else "reviewer")
            session.commit()
        except IntegrityError:
            err.print(f"[red]gxllm: users add: a user named {name!r} already exists[/red]")
            raise typer.Exit(code=1) from None
    err.print(f"gxllm: added {'administrator' if admin else 'reviewer'} {name}")


@users_app.command("token")
def token_command(
    name: Annotated[str, typer.Argument(help="the user the token acts as")],
    db: DbOption = None,
    label: Annotated[str, typer.Option(help="what the token is for")] = "api",
) -> None:
    """Issue an API token for a user and print it (it is shown only this once)."""
    from gxllm.service.auth import issue_api_token
    from gxllm.store import find_user, open_store

    with open_store(db)() as session:
        user = find_user(session, name)
        if user is None:
            err.print(f"[red]gxllm: users token: no user named {name!r}[/red]")
            raise typer.Exit(code=1)
        token = issue_api_token(session, user, label)
        session.commit()
    sys.stdout.write(token + "\n")
