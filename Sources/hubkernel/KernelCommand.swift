import Foundation
import HubMagics

// Replaced when the Jupyter protocol layer lands.
func runKernel(_ arguments: [String], session: MagicSession) -> Int32 {
    FileHandle.standardError.write(Data("hubkernel kernel: the Jupyter layer is not built yet\n".utf8))
    return 1
}

func runInstall(_ arguments: [String]) -> Int32 {
    FileHandle.standardError.write(Data("hubkernel install: the Jupyter layer is not built yet\n".utf8))
    return 1
}
