"""The command palette (ctrl+p): every action of the current screen and of the app."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class DindscopeCommands(Provider):
    """Offers the bindings of the screen the palette was opened on, then the app-wide ones."""

    def _commands(self) -> Iterator[tuple[str, str, Binding, object]]:
        seen: set[str] = set()
        screen = self.screen
        for node, bindings in ((screen, getattr(screen, "BINDINGS", [])), (self.app, self.app.BINDINGS)):
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.action in seen:
                    continue
                if binding.action in ("command_palette",):
                    continue
                seen.add(binding.action)
                keymap: dict[str, str] = getattr(self.app, "user_keymap", {})
                keys = keymap.get(binding.id or "", binding.key_display or binding.key)
                title = f"{binding.description} ({keys})"
                yield title, binding.tooltip or binding.description, binding, node

    async def discover(self) -> Hits:
        for title, help_text, binding, node in self._commands():
            yield DiscoveryHit(title, partial(node.run_action, binding.action), help=help_text)  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, binding, node in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(node.run_action, binding.action),  # type: ignore[attr-defined]
                          text=title, help=help_text)
