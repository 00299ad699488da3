"""What the systems' command lines share: one-line Chinese errors on stderr, the database
option, ``db upgrade``, ``serve`` and the ``user`` commands (:class:`UserCommands`).

A system's commands name its database with its own options (``--database-url``, and for gzvpp
also ``--db``): :class:`DatabaseOptions` holds those parameters and how they make a URL, and
:func:`command` adds them to a shared command, so every system's ``user list`` reads
``gzX user list --database-url URL``.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from gzkit.text import chinese_half

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    from gzkit.accounts import Accounts
    from gzkit.db import DatabaseConfig

# Imported by every command line at start: fastapi, SQLAlchemy and the rest are imported only
# by the commands that use them.

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def new_app(name: str, text: str) -> typer.Typer:
    """A system's command line ``name``: its help ``text``, help when no command is given, no
    shell-completion options; a group even while it has one command."""
    app = typer.Typer(name=name, help=text, no_args_is_help=True, add_completion=False)

    def main() -> None:
        pass

    app.callback(help=text)(main)
    return app


def stderr() -> Console:
    """The console for messages on stderr: one line each, never folded at the terminal's width
    (a log or a CI job would otherwise get a message cut in pieces at 80 columns)."""
    return Console(stderr=True, soft_wrap=True, highlight=False)


def print_error(message: str) -> None:
    """Print ``错误：message`` on one line of stderr; the message is text, not markup."""
    stderr().print(f"[bold red]错误：[/]{escape(message)}")


def fail(err: Exception) -> NoReturn:
    """Print a refusal (the Chinese half of a bilingual message) and exit with status 2."""
    from gzkit.errors import DomainError

    print_error(chinese_half(err.message) if isinstance(err, DomainError) else str(err))
    raise typer.Exit(code=2)


def choice(enum: type[E], value: str, option: str = "--role") -> E:
    """``value`` as a member of ``enum``, else a usage error naming ``option``."""
    if value not in enum._value2member_map_:
        raise typer.BadParameter(f"未知取值 {value!r}", param_hint=option)
    return enum(value)


@dataclass(frozen=True)
class DatabaseOptions:
    """A system's options naming its database: the command parameters, and how their values
    (by parameter name) make the URL (None: the environment's, else the default)."""

    parameters: tuple[inspect.Parameter, ...]
    url: Callable[..., str | None]


def database_url_option(annotation: Any) -> DatabaseOptions:
    """The one option ``--database-url``, as the system's ``annotation`` (its help names the
    system's environment variable and default) declares it."""
    parameter = inspect.Parameter(
        "database_url", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation
    )
    return DatabaseOptions((parameter,), lambda database_url: database_url)


def command(
    app: typer.Typer,
    name: str,
    body: Callable[..., None],
    options: DatabaseOptions,
    parameters: tuple[inspect.Parameter, ...] = (),
) -> None:
    """Add ``body(url, **values)`` to ``app`` as the command ``name``, taking ``parameters``
    and the system's database ``options``; its help is ``body``'s docstring."""
    names = [parameter.name for parameter in options.parameters]

    def run(**values: Any) -> None:
        url = options.url(**{key: values.pop(key) for key in names})
        body(url, **values)

    every = (*parameters, *options.parameters)
    run.__signature__ = inspect.Signature(list(every))  # type: ignore[attr-defined]
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in every}
    run.__doc__ = body.__doc__
    app.command(name)(run)


def report_upgrade(before: str | None, after: str | None) -> None:
    """Say what ``db upgrade`` did."""
    if before == after:
        typer.echo(f"数据库已是最新版本 {after}，无需升级")
    else:
        typer.echo(f"数据库已升级到 {after}（原为 {before or '空库'}）")


def add_database_commands(
    app: typer.Typer,
    database: Callable[[], DatabaseConfig],
    create_app: Callable[[str], FastAPI],
    options: DatabaseOptions,
    port: int,
) -> typer.Typer:
    """Add ``serve`` (migrate, then the service under uvicorn) and ``db upgrade`` to ``app``
    for a system whose ``create_app(url)`` builds its service on a migrated database, and
    ``database()`` gives its database; the ``db`` group, for the system's other database
    commands."""

    def serve(url: str | None, host: str, port: int) -> None:
        """运行本系统的网络服务（接口文档 /docs，控制台 /console/）；先升级数据库。"""
        import uvicorn

        resolved = database().resolve_url(url)
        database().upgrade(resolved)
        uvicorn.run(create_app(resolved), host=host, port=port)

    def db_upgrade(url: str | None) -> None:
        """把数据库升级到最新结构。"""
        report_upgrade(*database().upgrade(url))

    listen = (
        _option("host", str, "127.0.0.1", "监听的地址。"),
        _option("port", int, port, "TCP 端口。"),
    )
    command(app, "serve", serve, options, listen)
    db_app = typer.Typer(help="本系统的数据库。", no_args_is_help=True)
    app.add_typer(db_app, name="db")
    command(db_app, "upgrade", db_upgrade, options)
    return db_app


def _option(name: str, kind: Any, default: Any, text: str, *decls: str) -> inspect.Parameter:
    annotation = Annotated[kind, typer.Option(*decls, help=text)]
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


UserRef = Annotated[str, typer.Argument(metavar="NAME|ID", help="用户编号，或唯一的用户名称。")]
TtlDays = Annotated[
    int | None,
    typer.Option("--ttl-days", min=1, max=3650, help="令牌有效天数；默认为本系统的令牌有效期。"),
]
_USER = inspect.Parameter("ref", inspect.Parameter.KEYWORD_ONLY, annotation=UserRef)
_TTL = inspect.Parameter(
    "ttl_days", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=TtlDays
)


@dataclass(frozen=True)
class UserCommands:
    """A system's ``user`` commands over its :class:`~gzkit.accounts.Accounts`.

    ``add`` stays the system's own (its roles take its own scope: a participant, a district
    and street, a bank) and calls :meth:`add`; :func:`add_user_commands` adds the shared
    ``list``, ``disable``, ``enable``, ``revoke-token`` and ``rotate``.

    Parameters
    ----------
    database : DatabaseConfig
        The system's database (its commands run in :meth:`DatabaseConfig.in_database`).
    accounts : Accounts
        Its users and tokens.
    token_lifetime : callable
        The lifetime of a new API token when ``--ttl-days`` is not given (may raise
        ``ValueError`` for a bad setting: a one-line error).
    role_label : callable
        A role's Chinese name.
    scope : callable
        What a user is tied to, for the list (a participant, a district and street, a bank;
        ``—`` for none), given the session and the user.
    roles : StrEnum
        The system's roles.
    create : callable
        The system's ``create_user(session, *, name, role, at, expires_at, [password],
        **scope)`` → the new user and its token in clear (``password`` where the system's
        ``user add`` offers it, None unless asked; ``scope`` the values of the
        :class:`UserAdd`'s scope options, by their parameter names).
    list_lines : callable, optional
        The system's own listing instead of the standard one: lines given the session, the
        time and whether tokens are wanted.
    """

    database: DatabaseConfig
    accounts: Accounts[Any, Any]
    token_lifetime: Callable[[], dt.timedelta]
    role_label: Callable[[Any], str]
    scope: Callable[[Session, Any], str]
    roles: type[StrEnum]
    create: Callable[..., tuple[Any, str]]
    list_lines: Callable[[Session, dt.datetime, bool], list[str]] | None = None

    def run(self, url: str | None, work: Callable[[Session, dt.datetime], T]) -> T:
        """``work`` in one transaction on the migrated database; a refusal ends the command."""
        from gzkit.errors import DomainError

        try:
            return self.database.in_database(url, work)
        except (DomainError, ValueError) as err:  # ValueError: a bad token-lifetime setting
            fail(err)

    def expiry(self, now: dt.datetime, ttl_days: int | None) -> dt.datetime:
        """When a token issued ``now`` expires: ``ttl_days`` on, else the system's lifetime."""
        lifetime = self.token_lifetime() if ttl_days is None else dt.timedelta(days=ttl_days)
        return now + lifetime

    def add(
        self,
        url: str | None,
        role: str,
        name: str,
        ttl_days: int | None,
        password: bool | None,
        scope: dict[str, Any],
    ) -> None:
        """``user add``: make the user and its token (asking for a password twice if
        ``password``; None: the command offers none); say so on stderr and print the token
        (seen only now) on stdout."""
        chosen = choice(self.roles, role)
        if password is not None:
            secret = (
                typer.prompt("密码", hide_input=True, confirmation_prompt=True)
                if password
                else None
            )
            scope = scope | {"password": secret}

        def work(session: Session, now: dt.datetime) -> tuple[str, str]:
            expires_at = self.expiry(now, ttl_days)
            user, token = self.create(
                session, name=name, role=chosen, at=now, expires_at=expires_at, **scope
            )
            return f"#{user.id} {user.name}（{self.role_label(user.role)}）", token

        created, token = self.run(url, work)
        stderr().print(f"已创建用户 {escape(created)}")
        typer.echo(token)

    def print_users(self, url: str | None, tokens: bool) -> None:
        """Print the users (:attr:`list_lines`, else the standard lines)."""
        lines = self.list_lines or self._standard_lines
        for line in self.run(url, lambda session, now: lines(session, now, tokens)):
            typer.echo(line)

    def _standard_lines(self, session: Session, now: dt.datetime, tokens: bool) -> list[str]:
        from sqlalchemy import select

        from gzkit.accounts import stamp

        users: Any = self.accounts.user_model
        model: Any = self.accounts.token_model
        held: dict[int, list[Any]] = {}
        for token in session.scalars(select(model).order_by(model.id.desc())):
            held.setdefault(getattr(token, self.accounts.owner), []).append(token)
        lines = ["编号\t名称\t角色\t范围\t账户状态\t有效令牌/全部令牌"]
        for user in session.scalars(select(users).order_by(users.id)):
            own = held.get(user.id, [])
            active = sum(_token_state(token, now) == "有效" for token in own)
            state = f"停用于 {stamp(user.disabled_at)}" if user.disabled_at else "启用"
            lines.append(
                f"{user.id}\t{user.name}\t{self.role_label(user.role)}\t"
                f"{self.scope(session, user)}\t{state}\t{active}/{len(own)}"
            )
            lines.extend(
                f"  令牌 #{token.id}\t{token.prefix}…\t签发 {stamp(token.created_at)}"
                f"\t到期 {stamp(token.expires_at)}\t{_token_state(token, now)}"
                for token in (own if tokens else ())
            )
        return lines

    def set_disabled(self, url: str | None, ref: str, on: bool) -> None:
        """Disable (``on``) or enable the user ``ref`` (number or name)."""

        def work(session: Session, now: dt.datetime) -> str:
            user = self.accounts.find_user(session, ref)
            self.accounts.set_disabled(session, "cli", now, user, on)
            return f"#{user.id} {user.name}"

        who = self.run(url, work)
        verb = "已停用，其全部令牌立即失效" if on else "已启用"
        stderr().print(f"用户 {escape(who)} {verb}")

    def revoke_token(self, url: str | None, token_id: int) -> None:
        """Revoke the token numbered ``token_id``."""
        self.run(
            url,
            lambda session, now: self.accounts.revoke_token(session, "cli", now, token_id),
        )
        stderr().print(f"已吊销令牌 #{token_id}")

    def rotate(self, url: str | None, ref: str, ttl_days: int | None) -> None:
        """Revoke the user's tokens and print a new one."""

        def work(session: Session, now: dt.datetime) -> tuple[str, str, list[int]]:
            user = self.accounts.find_user(session, ref)
            from gzkit.accounts import stamp

            stored, secret, revoked = self.accounts.rotate(
                session, "cli", now, user, self.expiry(now, ttl_days)
            )
            issued = f"#{user.id} 签发令牌 #{stored.id}（到期 {stamp(stored.expires_at)}）"
            return issued, secret, revoked

        issued, secret, revoked = self.run(url, work)
        old = "、".join(f"#{i}" for i in revoked) or "无"
        stderr().print(f"已为用户 {issued}，吊销旧令牌：{old}")
        typer.echo(secret)


def _token_state(token: Any, now: dt.datetime) -> str:
    if token.revoked_at is not None:
        return "已吊销"
    return "已过期" if token.expires_at <= now else "有效"


@dataclass(frozen=True)
class UserAdd:
    """The options of a system's ``user add`` besides ``--name``, ``--ttl-days`` and the
    database: the help of ``--role`` and ``--name``, the options tying a user to its scope (a
    participant, a district and street, a bank), and whether ``--password`` is offered."""

    role_help: str
    name_help: str
    scope: tuple[inspect.Parameter, ...] = ()
    password: bool = True


def scope_option(name: str, text: str, flag: str | None = None) -> inspect.Parameter:
    """An optional text option of ``user add`` tying a user to its scope: ``flag`` (default
    ``--name`` with dashes) given to the system's ``create_user`` as ``name``."""
    return _option(name, str | None, None, text, *((flag,) if flag else ()))


def add_user_commands(
    user_app: typer.Typer,
    options: DatabaseOptions,
    bind: Callable[[], UserCommands],
    add: UserAdd,
) -> None:
    """Add ``add``, ``list``, ``disable``, ``enable``, ``revoke-token`` and ``rotate`` to
    ``user_app``; ``bind`` gives the system's :class:`UserCommands` when one of them runs (so
    that starting the command line imports no database code)."""
    scope_names = [parameter.name for parameter in add.scope]

    def user_add(
        url: str | None,
        role: str,
        name: str,
        ttl_days: int | None,
        password: bool | None = None,
        **scope: Any,
    ) -> None:
        """新建用户并输出其访问令牌（令牌明文只显示这一次）。"""
        bind().add(url, role, name, ttl_days, password, {key: scope[key] for key in scope_names})

    asked = (
        (_option("password", bool, False, "同时设置控制台登录密码（交互输入）。", "--password"),)
        if add.password
        else ()
    )
    add_parameters = (
        inspect.Parameter(
            "role",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[str, typer.Option(help=add.role_help)],
        ),
        inspect.Parameter(
            "name",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[str, typer.Option(help=add.name_help)],
        ),
        *add.scope,
        *asked,
        _TTL,
    )
    command(user_app, "add", user_add, options, add_parameters)
    tokens = _option("tokens", bool, False, "同时列出每个令牌（不含明文）。", "--tokens")
    token_id = inspect.Parameter(
        "token_id",
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[int, typer.Argument(help="令牌编号（见 user list --tokens）。")],
    )

    def user_list(url: str | None, tokens: bool) -> None:
        """列出用户：角色、范围、状态、有效令牌数（从不显示令牌明文）。"""
        bind().print_users(url, tokens)

    def user_disable(url: str | None, ref: str) -> None:
        """停用用户：其全部令牌立即失效（401），直到再次启用。"""
        bind().set_disabled(url, ref, True)

    def user_enable(url: str | None, ref: str) -> None:
        """重新启用用户：其未过期、未吊销的令牌恢复有效。"""
        bind().set_disabled(url, ref, False)

    def user_revoke_token(url: str | None, token_id: int) -> None:
        """吊销一个令牌：它立即失效，该用户的其他令牌不受影响。"""
        bind().revoke_token(url, token_id)

    def user_rotate(url: str | None, ref: str, ttl_days: int | None) -> None:
        """轮换令牌：签发新令牌并吊销其余令牌；新令牌只显示这一次。"""
        bind().rotate(url, ref, ttl_days)

    command(user_app, "list", user_list, options, (tokens,))
    command(user_app, "disable", user_disable, options, (_USER,))
    command(user_app, "enable", user_enable, options, (_USER,))
    command(user_app, "revoke-token", user_revoke_token, options, (token_id,))
    command(user_app, "rotate", user_rotate, options, (_USER, _TTL))
