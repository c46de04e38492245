"""`cpdsheets serve` and `cpdsheets accounts add|token`: the service's commands on the CLI.

Only typer is imported here; the service's libraries (the `serve` extra) are imported when a command
runs, and their absence is one line saying how to install them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

DataOption = Annotated[Path, typer.Option("--data", metavar="目录", help="服务的数据目录（上传的文件、数据库、密钥）"
                                          " / the service's data folder.")]
DbOption = Annotated[Optional[str], typer.Option("--db", metavar="URL", help="数据库，默认为数据目录中的 SQLite；"
                                                 "PostgreSQL 写 postgresql+psycopg://用户:密码@主机/库"
                                                 " / database URL (default: SQLite in DIR).")]


def _needs_serve_extra() -> None:
    try:
        import argon2  # noqa: F401
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        typer.echo(f"缺少服务所需的库（{exc.name}），请安装：pip install 'cpdsheets[serve]' "
                   f"/ the service's libraries are missing ({exc.name}): pip install 'cpdsheets[serve]'", err=True)
        raise typer.Exit(2)


def _store(data: Path, db: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from .database import Store

    try:
        return Store.open(data, db)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        typer.echo(f"无法打开数据库 / cannot open the database: {line}", err=True)
        raise typer.Exit(2)


def add_commands(app: typer.Typer, command_cls: Any) -> None:
    accounts = typer.Typer(help="服务的账号：添加账号，生成 API 令牌 / the service's accounts.", no_args_is_help=True,
                           add_completion=False, rich_markup_mode=None)
    app.add_typer(accounts, name="accounts")

    @app.command(cls=command_cls)
    def serve(
        data: DataOption = Path("cpdsheets-data"),
        host: Annotated[str, typer.Option("--host", metavar="地址", help="监听地址 / address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", metavar="端口", help="端口 / port.")] = 8000,
        db: DbOption = None,
        workers: Annotated[Optional[int], typer.Option("--workers", min=1, metavar="N", help="同时处理的工作簿数（工作进程数，"
                                                       "默认每个 CPU 核一个）/ worker processes for jobs.")] = None,
        max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", min=1, metavar="MB",
                                                   help="上传文件大小上限 / upload size limit.")] = 20,
        secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="在 TLS 反向代理之后运行时使用：登录 Cookie "
                                                     "只经 https 发送 / behind a TLS proxy: the session cookie is sent "
                                                     "over https only.")] = False,
    ) -> None:
        """区域服务：学校在浏览器里上传总表，取回结果；区里看全区汇总 / the district web service."""
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
            typer.echo(f"服务无法启动 / the service cannot start: {line}", err=True)
            raise typer.Exit(2)
        demo = application.state.service.store.demo_account()
        if demo:
            typer.echo(f"演示学校账号 / demo school account: 用户名 user {demo[0]}  密码 password {demo[1]}")
            typer.echo("区账号 / a district account: cpdsheets accounts add 用户名 --school 教师发展中心 --district "
                       f"--data {data} --password-stdin")
        typer.echo(f"cpdsheets serve: http://{host}:{port}  （数据 data: {data}）", err=False)
        sys.stdout.flush()
        uvicorn.run(application, host=host, port=port, log_level="info", timeout_graceful_shutdown=30)

    @accounts.command("add", cls=command_cls)
    def add(
        user: Annotated[str, typer.Argument(metavar="用户名", help="登录用的用户名 / the user name.")],
        school: Annotated[str, typer.Option("--school", metavar="名称", help="学校（或区）名称 / school name.")],
        data: DataOption = Path("cpdsheets-data"),
        district: Annotated[bool, typer.Option("--district", help="区账号：看全区汇总 / a district account.")] = False,
        password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读密码 / read the "
                                                     "password from stdin.")] = False,
        db: DbOption = None,
    ) -> None:
        """添加账号（密码从标准输入读）/ add an account; the password comes on stdin."""
        _needs_serve_extra()
        from .database import AccountError

        if not password_stdin:
            typer.echo("请用 --password-stdin，从标准输入给出密码 / give the password on stdin with --password-stdin",
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

    @accounts.command("token", cls=command_cls)
    def token(
        user: Annotated[str, typer.Argument(metavar="用户名", help="账号的用户名 / the user name.")],
        data: DataOption = Path("cpdsheets-data"),
        db: DbOption = None,
    ) -> None:
        """生成一个 API 令牌（只显示这一次）/ print a new API token (shown once)."""
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
