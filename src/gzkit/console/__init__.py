"""The consoles' shared layout and machinery: the page layout, error and confirmation pages,
paging, validation messages in Chinese, forged-form checks and security headers, and each
system's :class:`~gzkit.console.site.ConsoleSite`."""
