"""cap-dac-read-search: open_by_handle_at(2) reads any host file ("shocker"); with DAC_OVERRIDE, writes too."""

from __future__ import annotations

from dindscope.graph import nodes
from dindscope.graph.context import BuildContext, container_node
from dindscope.techniques.base import Technique
from dindscope.techniques.capability import cap_holders


def _apply(ctx: BuildContext) -> None:
    for c, extra, enablers, facts in cap_holders(ctx, "DAC_READ_SEARCH"):
        src = container_node(c)
        ctx.add(src, nodes.HOST_READ, TECHNIQUE.id,
                "CAP_DAC_READ_SEARCH: open_by_handle_at brute-forces handles to read any host file (/etc/shadow)",
                tuple(facts), TECHNIQUE.cost + extra, enablers)
        if c.has_cap("DAC_OVERRIDE") and ctx.identity(c).maps_to_host_root:
            ctx.add(src, ctx.escape_target(c), TECHNIQUE.id,
                    "CAP_DAC_READ_SEARCH + CAP_DAC_OVERRIDE: open host files by handle for writing "
                    "(/etc/shadow, cron) = host root", (*facts, "effective capabilities include CAP_DAC_OVERRIDE"),
                    TECHNIQUE.cost + 1.5 + extra, enablers)


TECHNIQUE = Technique(
    id="cap-dac-read-search",
    title="CAP_DAC_READ_SEARCH (open_by_handle_at, 'shocker')",
    kind="escape",
    needs="CAP_DAC_READ_SEARCH for host root in the container (Docker's seccomp profile allows open_by_handle_at "
          "once the capability is added) and any bind mount from the host filesystem (/etc/hosts counts).",
    gains="Read any host file (host read); with CAP_DAC_OVERRIDE (in Docker's default set) write any host file "
          "(host root).",
    evidence="HostConfig.CapAdd, effective capabilities, Config.User.",
    remediations=("cap-dac-read-search/drop",),
    cost=1.5,
    references=("https://medium.com/@fun_cuddles/docker-breakout-exploit-analysis-a274fff0e6b3",),
    apply=_apply,
)
