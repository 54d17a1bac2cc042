import Foundation
import Hub
import Jupyter

extension MagicSession {
    /// Makes the Python kernel this session's notebook kernel hosts (found as `SubkernelSpec.find` says, with
    /// this session's environment at each start) and keeps it in `python`. Nil when
    /// `HUBKERNEL_PYTHON_KERNEL=none` turns the Python side off: cells then hold magics only.
    public func hostPython() -> Subkernel? {
        if environment.variables[SubkernelSpec.selectionVariable]?.lowercased() == "none" { return nil }
        let python = Subkernel(lookup: { [weak self] in
            try SubkernelSpec.find(environment: self?.environment.variables ?? ProcessInfo.processInfo.environment)
        }, environment: { [weak self] in
            self?.environment.variables ?? ProcessInfo.processInfo.environment
        })
        self.python = python
        return python
    }
}
