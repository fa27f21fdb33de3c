"""A network of a test's own, from Linux network namespaces (iproute2; needs root): a bridge in a
namespace of its own, one namespace per node joined to it by a veth pair, and one veth pair from
the test's namespace to the bridge, so the test reaches every node and the nodes reach what the
test runs on the root side's address (etcd). cut(node) takes a node off the bridge, from every
other node and from the test's side, while what runs inside the node's namespace still reaches it
(its link down, or silently: its packets dropped); heal(node) puts it back.

Names are unique per instance (a random tag); the only interface made in the test's namespace is
the one veth end, and remove() deletes it and every namespace made, whatever state it is in."""

from __future__ import annotations

import ipaddress
import random
import subprocess
import uuid


def ip(*args: str) -> str:
    """Runs `ip ARGS`; fails with its error output."""
    res = subprocess.run(["ip", *args], capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise AssertionError(f"`ip {' '.join(args)}` exited {res.returncode}: {res.stderr.decode().strip()}")
    return res.stdout.decode()


def free_subnet() -> ipaddress.IPv4Network:
    """A 10.x.y.0/24 that no route of the test's namespace overlaps."""
    routes = []
    for line in ip("-4", "route", "show", "table", "all").splitlines():
        dst = line.split()[0] if line.split() else ""
        if dst[:1].isdigit():
            routes.append(ipaddress.ip_network(dst, strict=False))
    for _ in range(100):
        net = ipaddress.ip_network(f"10.{random.randint(100, 250)}.{random.randint(0, 255)}.0/24")
        if not any(net.overlaps(r) for r in routes):
            return net
    raise AssertionError("no free 10.x.y.0/24 for a test network")


class NetnsLan:
    def __init__(self, nodes: list):
        self.tag = f"sl{uuid.uuid4().hex[:6]}"
        self.subnet = free_subnet()
        hosts = list(self.subnet.hosts())
        self.host_address = str(hosts[-1])  # the test's side of the network (etcd listens here)
        self.addresses = {node: str(hosts[i]) for i, node in enumerate(nodes)}
        self.bridge_ns = f"{self.tag}-bridge"
        self.host_link = f"{self.tag}h"  # the veth end in the test's namespace
        self.namespaces = []
        try:
            self._add_namespace(self.bridge_ns)
            ip("-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
            ip("-n", self.bridge_ns, "link", "set", "br0", "up")
            ip("link", "add", self.host_link, "type", "veth", "peer", "name", "host", "netns", self.bridge_ns)
            ip("addr", "add", f"{self.host_address}/{self.subnet.prefixlen}", "dev", self.host_link)
            ip("link", "set", self.host_link, "up")
            ip("-n", self.bridge_ns, "link", "set", "host", "master", "br0", "up")
            for node in nodes:
                ns = self.namespace(node)
                self._add_namespace(ns)
                ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", self._port(node),
                   "netns", self.bridge_ns)
                ip("-n", ns, "addr", "add", f"{self.addresses[node]}/{self.subnet.prefixlen}", "dev", "eth0")
                ip("-n", ns, "link", "set", "eth0", "up")
                ip("-n", self.bridge_ns, "link", "set", self._port(node), "master", "br0", "up")
        except BaseException:
            self.remove()
            raise

    def namespace(self, node: str) -> str:
        return f"{self.tag}-{node}"

    def exec_prefix(self, node: str) -> list:
        """The command prefix that runs a program in `node`'s namespace (`ip netns exec` execs it,
        so the process started is the program itself)."""
        return ["ip", "netns", "exec", self.namespace(node)]

    def cut(self, node: str, silently: bool = False):
        """Takes `node` off the bridge, its own address still answering inside its namespace: its
        link goes down (the two sides' packets fail at once, no route to host), or `silently` its
        bridge port stops forwarding with the link up (packets vanish, connections hang)."""
        if silently:
            ip("-n", self.bridge_ns, "link", "set", self._port(node), "type", "bridge_slave", "state", "1")
        else:
            ip("-n", self.bridge_ns, "link", "set", self._port(node), "down")

    def heal(self, node: str):
        ip("-n", self.bridge_ns, "link", "set", self._port(node), "up")
        ip("-n", self.bridge_ns, "link", "set", self._port(node), "type", "bridge_slave", "state", "3")

    def remove(self):
        """Deletes what was made (stop the processes inside first); never fails."""
        subprocess.run(["ip", "link", "del", self.host_link], capture_output=True, timeout=10)
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)
        self.namespaces = []

    def _add_namespace(self, ns: str):
        ip("netns", "add", ns)
        self.namespaces.append(ns)
        ip("-n", ns, "link", "set", "lo", "up")

    def _port(self, node: str) -> str:
        return f"p-{node}"[:15]
