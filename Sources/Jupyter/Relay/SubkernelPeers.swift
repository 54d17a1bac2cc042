import CZeroMQ
import Foundation

/// The DEALERs HubKernel holds to the hosted kernel's shell, stdin and control ROUTERs: one set per frontend routing
/// identity, each connecting with that frontend's own routing id. So Python sees the identity the frontend connected
/// with (`_parent_ident`, the idents its replies and `input_request`s go to), as if the frontend were its own
/// client; a single shared DEALER would show every frontend as HubKernel. HubKernel's own requests use `ownIdentity`.
/// A frontend that set no routing id has one libzmq made up (a zero byte, then a counter): that is not the frontend's
/// but HubKernel's ROUTER's, and the child's ROUTER numbers its own anonymous peers (ipykernel's debugger socket) from
/// the same start, so it is never reused towards the child (`childRoutingID`). Relay thread only.
struct SubkernelPeers {
    /// One frontend's three sockets to the child.
    struct Peer {
        let sockets: [(channel: Channel, socket: ZMQSocket)]

        func socket(_ channel: Channel) -> ZMQSocket? { sockets.first { $0.channel == channel }?.socket }
    }

    /// How many frontend identities keep their sockets; the least recently used one beyond this is closed (a frontend
    /// that reconnects under a fresh identity leaves its old one unused).
    static let limit = 32

    let ownIdentity: [UInt8]
    private let context: ZMQContext
    private let endpoint: (Channel) -> String
    private var peers: [[UInt8]: Peer] = [:] {
        didSet { all = peers.values.flatMap(\.sockets) }
    }
    private var uses: UInt64 = 0
    private var lastUse: [[UInt8]: UInt64] = [:]

    init(context: ZMQContext, ownIdentity: [UInt8], endpoint: @escaping (Channel) -> String) {
        self.context = context
        self.ownIdentity = ownIdentity
        self.endpoint = endpoint
    }

    /// The socket to `channel` for `routingID` (empty: HubKernel's own), connecting a new set when it is new.
    mutating func socket(for routingID: [UInt8], channel: Channel) throws -> ZMQSocket {
        let id = routingID.isEmpty ? ownIdentity : routingID
        uses += 1
        if peers[id] == nil {
            if peers.count >= Self.limit,
               let oldest = lastUse.filter({ $0.key != ownIdentity }).min(by: { $0.value < $1.value })?.key {
                for entry in peers[oldest]?.sockets ?? [] { entry.socket.close() }
                peers[oldest] = nil
                lastUse[oldest] = nil
            }
            peers[id] = try connect(id)
        }
        lastUse[id] = uses
        guard let socket = peers[id]!.socket(channel) else { throw ZMQError(operation: "no \(channel.rawValue) socket to Python", code: EINVAL) }
        return socket
    }

    /// Every open socket with its channel, for polling (kept, not rebuilt for each poll).
    private(set) var all: [(channel: Channel, socket: ZMQSocket)] = []

    func closeAll() {
        for entry in all { entry.socket.close() }
    }

    /// The routing id the child sees for the frontend known here as `id`: its own, unless libzmq made it up (it starts
    /// with a zero byte); then one of HubKernel's, distinct per frontend and the same on shell, stdin and control (so
    /// `input()` still reaches it), where a zero-led one could take over a peer the child numbered itself.
    func childRoutingID(for id: [UInt8]) -> [UInt8] {
        guard id.first == 0 else { return id }
        return ownIdentity + Array("-anonymous-".utf8) + Array(id.map { String(format: "%02x", $0) }.joined().utf8)
    }

    /// stdin first: the child may send an `input_request` to this identity as soon as it has the shell request.
    private func connect(_ id: [UInt8]) throws -> Peer {
        var sockets: [(channel: Channel, socket: ZMQSocket)] = []
        do {
            for channel in [Channel.stdin, .shell, .control] {
                let socket = try ZMQSocket(context: context, type: .dealer)
                sockets.append((channel, socket))
                try socket.setOption(ZMQ_LINGER, 0)
                try socket.setOption(ZMQ_ROUTING_ID, bytes: childRoutingID(for: id))
                try socket.connect(endpoint(channel))
            }
        } catch {
            for entry in sockets { entry.socket.close() }
            throw error
        }
        return Peer(sockets: sockets)
    }
}
