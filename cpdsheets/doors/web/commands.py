"""`cpdsheets serve` and `cpdsheets accounts add|token`: the service's commands on the CLI.

Only typer is imported here; the service's libraries (the `serve` extra) are imported when a command
runs, and their absence is one line saying how to install them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ...contract.texts import both_languages
from .texts import SERVE_HELP


def _help(code: str, sep: str = " / ", **params: Any) -> str:
    """A help text or a line of the serve and accounts commands in both languages, Chinese first
    (typer shows one help text to every reader); ``sep`` is the join the line has always had."""
    return both_languages(SERVE_HELP[code], sep, **params)


DataOption = Annotated[Path, typer.Option("--data", metavar="目录", help=_help("data"))]
DbOption = Annotated[Optional[str], typer.Option("--db", metavar="URL", help=_help("db"))]


def _needs_serve_extra() -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        typer.echo(_help("missing-libraries", name=exc.name), err=True)
        raise typer.Exit(2)


def _store(data: Path, db: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from .database import Store

    try:
        return Store.open(data, db)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        typer.echo(_help("cannot-open-database", line=line), err=True)
        raise typer.Exit(2)


def add_commands(app: typer.Typer, command_cls: Any) -> None:
    accounts = typer.Typer(help=_help("accounts"), no_args_is_help=True,
                           add_completion=False, rich_markup_mode=None)
    app.add_typer(accounts, name="accounts")

    @app.command(cls=command_cls, help=_help("serve"))
    def serve(
        data: DataOption = Path("cpdsheets-data"),
        host: Annotated[str, typer.Option("--host", metavar="地址", help=_help("serve.host"))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", metavar="端口", help=_help("serve.port"))] = 8000,
        db: DbOption = None,
        workers: Annotated[Optional[int], typer.Option("--workers", min=1, metavar="N", help=_help("serve.workers", "/ "))] = None,
        max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, metavar="MB",
                                                   help=_help("serve.max-upload-mb"))] = 20,
        secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help=_help("serve.secure-cookies"))] = False,
    ) -> None:
        _needs_serve_extra()
        import uvicorn

        from .app import create_app
        from .settings import Settings

        settings = Settings(data=data, db=db, workers=workers, max_upload_mb=max_upload_mb,
                            secure_cookies=secure_cookies)
        try:
            application = create_app(settings)
        except Exception as exc:  # a database that cannot be reached, a data folder that cannot be written
            line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            typer.echo(_help("cannot-start", line=line), err=True)
            raise typer.Exit(2)
        demo = application.state.service.store.demo_account()
        if demo:
            typer.echo(_help("demo-account", user=demo[0], password=demo[1]))
            typer.echo(_help("district-account", data=data))
        typer.echo(f"cpdsheets serve: http://{host}:{port}  （数据 data: {data}）", err=False)
        sys.stdout.flush()
        uvicorn.run(application, host=host, port=port, log_level="info", timeout_graceful_shutdown=30)

    @accounts.command("add", cls=command_cls, help=_help("accounts.add", "/ "))
    def add(
        user: Annotated[str, typer.Argument(metavar="用户名", help=_help("accounts.add.user"))],
        school: Annotated[str, typer.Option("--school", metavar="名称", help=_help("accounts.add.school"))],
        data: DataOption = Path("cpdsheets-data"),
        district: Annotated[bool, typer.Option("--district", help=_help("accounts.add.district"))] = False,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help=_help("accounts.add.password-stdin"))] = False,
        db: DbOption = None,
    ) -> None:
        _needs_serve_extra()
        from .database import AccountError

        if not password_stdin:
            typer.echo(_help("password-stdin"),
                       err=True)
            raise typer.Exit(2)
        password = sys.stdin.readline().rstrip("\r\n")
        store = _store(data, db)
        try:
            account = store.add_account(user, password, school, district=district)
        except AccountError as exc:
            typer.echo(f"{exc.message('zh')} / {exc.message('en')}", err=True)
            raise typer.Exit(2)
        finally:
            store.close()
        kind = "区账号 district account" if account.is_district else "学校账号 school account"
        typer.echo(f"已添加{kind}：{user}（{school}）")

    @accounts.command("token", cls=command_cls, help=_help("accounts.token", "/ "))
    def token(
        user: Annotated[str, typer.Argument(metavar="用户名", help=_help("accounts.token.user"))],
        data: DataOption = Path("cpdsheets-data"),
        db: DbOption = None,
    ) -> None:
        _needs_serve_extra()
        from .database import AccountError

        store = _store(data, db)
        try:
            typer.echo(store.new_token(user))
        except AccountError as exc:
            typer.echo(f"{exc.message('zh')} / {exc.message('en')}", err=True)
            raise typer.Exit(2)
        finally:
            store.close()
