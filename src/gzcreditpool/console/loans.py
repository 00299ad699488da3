"""placeholder"""

from gzcreditpool.console.pages import page_router

router = page_router()
