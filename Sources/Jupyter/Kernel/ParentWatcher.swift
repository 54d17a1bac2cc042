import Foundation

/// Ends the kernel when the process that started it is gone, as ipykernel's `ParentPollerUnix`
/// does: jupyter_client sets `JPY_PARENT_PID` for the kernels it starts; if the kernel is then
/// re-parented (the frontend was killed), nobody can ever talk to it again.
enum ParentWatcher {
    /// Starts a background check once a second when `JPY_PARENT_PID` is set.
    static func start(environment: [String: String] = ProcessInfo.processInfo.environment, log: KernelLog) {
        guard let declared = environment["JPY_PARENT_PID"].flatMap(Int32.init), declared > 1 else { return }
        let original = getppid()
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: 1)
                let current = getppid()
                if current != original {
                    log.log("the frontend that started this kernel (pid \(original)) is gone; exiting")
                    exit(1)
                }
            }
        }
        thread.name = "hubkernel-parent-watcher"
        thread.start()
    }
}
