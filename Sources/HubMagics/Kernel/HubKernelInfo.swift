import Jupyter

/// HubKernel's version and the `language_info` of its magic language.
public enum HubKernelInfo {
    public static let version = "0.1.0"

    public static let kernelInfo = KernelInfo(
        implementation: "hubkernel",
        implementationVersion: version,
        languageName: "hubkernel",
        languageVersion: version,
        mimetype: "text/x-hubkernel",
        fileExtension: ".hub",
        banner: "HubKernel \(version): the Hugging Face Hub from a notebook. Type %help to start, %lsmagic for every magic.",
        helpLinks: [
            (text: "HubKernel magics (%help)", url: "https://huggingface.co/docs/huggingface_hub/guides/cli"),
            (text: "huggingface_hub documentation", url: "https://huggingface.co/docs/huggingface_hub"),
        ])
}
