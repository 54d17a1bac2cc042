/// The Jupyter messaging protocol version this kernel speaks.
public let jupyterProtocolVersion = "5.3"
