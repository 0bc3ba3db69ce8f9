import Foundation

/// Two network namespaces joined by a veth pair, with static neighbours and
/// no IPv6, so the only packets on the wire are the ones a test sends.
package final class VethPair: @unchecked Sendable {
    /// Sender namespace name (under /run/netns).
    package let sender: String
    /// Receiver namespace name.
    package let receiver: String
    /// Interface name in the receiver namespace.
    package let receiverInterface = "veth-rx"
    /// Receiver address.
    package let receiverAddress = "10.199.0.2"

    /// Creates the namespaces and the pair.
    package init() throws {
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        sender = "bpfman-tx-" + suffix
        receiver = "bpfman-rx-" + suffix
        let script = """
        set -e
        ip netns add \(sender)
        ip netns add \(receiver)
        ip link add veth-tx netns \(sender) type veth peer name veth-rx netns \(receiver)
        for ns in \(sender) \(receiver); do
          nsenter --net=/run/netns/$ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
          nsenter --net=/run/netns/$ns ip link set lo up
        done
        nsenter --net=/run/netns/\(sender) ip addr add 10.199.0.1/24 dev veth-tx
        nsenter --net=/run/netns/\(receiver) ip addr add 10.199.0.2/24 dev veth-rx
        nsenter --net=/run/netns/\(sender) ip link set veth-tx up
        nsenter --net=/run/netns/\(receiver) ip link set veth-rx up
        txmac=$(nsenter --net=/run/netns/\(sender) ip -br link show dev veth-tx | awk '{print $3}')
        rxmac=$(nsenter --net=/run/netns/\(receiver) ip -br link show dev veth-rx | awk '{print $3}')
        nsenter --net=/run/netns/\(sender) ip neigh replace 10.199.0.2 lladdr $rxmac dev veth-tx nud permanent
        nsenter --net=/run/netns/\(receiver) ip neigh replace 10.199.0.1 lladdr $txmac dev veth-rx nud permanent
        """
        let result = Command.shell(script)
        guard result.status == 0 else {
            Command.shell("ip netns del \(sender); ip netns del \(receiver)")
            throw FixtureError("veth setup failed: \(result.stderr)")
        }
    }

    /// The receiver namespace path, for `--netns`.
    package var receiverPath: String { "/run/netns/" + receiver }

    /// Sends `count` pings from sender to receiver; returns the replies seen.
    @discardableResult
    package func ping(_ count: Int) -> Int {
        let result = Command.shell("nsenter --net=/run/netns/\(sender) ping -n -q -c \(count) -i 0.01 -W 1 \(receiverAddress)")
        let line = result.stdout.split(separator: "\n").first { $0.contains("received") } ?? ""
        return Int(line.split(separator: ",").dropFirst().first?.split(separator: " ").first ?? "") ?? 0
    }

    /// Where iproute2 mounts bpffs when `ip` or `tc` loads an object
    /// (`TC_BPF_MNT`), instead of /sys/fs/bpf, so what it pins goes with
    /// the pair.
    package var iproute2BPFMount: String { "/tmp/\(receiver)-iproute2" }

    /// Runs `command`, an `ip` or `tc` command line, in the receiver
    /// namespace, with iproute2's bpffs under ``iproute2BPFMount``.
    package func inReceiver(_ command: String) -> CommandResult {
        Command.shell("mkdir -p \(iproute2BPFMount) && TC_BPF_MNT=\(iproute2BPFMount) nsenter --net=\(receiverPath) \(command)")
    }

    /// Deletes both namespaces (and so the pair), and iproute2's bpffs.
    package func tearDown() {
        Command.shell("""
            ip netns del \(sender); ip netns del \(receiver)
            while mountpoint -q \(iproute2BPFMount); do umount \(iproute2BPFMount) || break; done
            rm -rf \(iproute2BPFMount)
            """)
    }
}
