import Foundation

/// Waits for the user to approve a device code in the browser, as `poll_device_token` does: polls at the
/// Hub's interval (`slow_down` adds 5 s), keeps polling through `authorization_pending` and inconclusive
/// answers until the code expires, and stops at once when `isCancelled` turns true.
///
/// ```swift
/// let device = try oauth.requestDeviceCode()
/// let answer = try DeviceLogin(client: oauth).waitForApproval(device, isCancelled: { output.isCancelled }) { left in
///     display.update("waiting for approval · expires in \(DeviceLogin.clock(left))")
/// }
/// ```
public struct DeviceLogin: Sendable {
    public let client: OAuthClient
    /// How often `onTick` is called while waiting, and how often cancellation is checked.
    static let tick: TimeInterval = 0.1

    public init(client: OAuthClient) { self.client = client }

    /// The token answer once approved. `onTick` gets the whole seconds left before the code expires
    /// (called when that number changes). Throws `OAuthError` (denied, expired) or `HubError(.cancelled)`.
    public func waitForApproval(_ device: OAuthClient.DeviceCode, isCancelled: () -> Bool,
                                onTick: (Int) -> Void = { _ in }) throws -> OAuthClient.TokenAnswer {
        let deadline = Date().addingTimeInterval(TimeInterval(device.expiresIn))
        var interval = TimeInterval(max(device.interval, 1))
        var lastShown = -1
        func secondsLeft() -> Int { max(0, Int(deadline.timeIntervalSinceNow.rounded(.up))) }
        while Date() < deadline {
            if isCancelled() { throw HubError(.cancelled(kept: 0)) }
            switch try client.poll(device) {
            case .token(let answer): return answer
            case .slowDown: interval += 5
            case .pending, .inconclusive: break
            }
            let next = Date().addingTimeInterval(interval)
            while Date() < next && Date() < deadline {
                if isCancelled() { throw HubError(.cancelled(kept: 0)) }
                let left = secondsLeft()
                if left != lastShown { lastShown = left; onTick(left) }
                Thread.sleep(forTimeInterval: Self.tick)
            }
        }
        throw OAuthError(.expired, "The login code expired before it was approved (timeout). Run %hf_login again.")
    }

    /// `4:32` for 272 seconds.
    public static func clock(_ seconds: Int) -> String { "\(seconds / 60):" + String(format: "%02d", seconds % 60) }
}
