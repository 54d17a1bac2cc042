/// The token guard's types (`TokenPattern`, `TokenMasker`, `TokenMask`, `TokenSources`) are part of the engine's API.
@_exported import TokenGuard
