"""The model card's YAML front matter as the Hub reports it (`cardData`): a small subset of YAML (`key: value` and
`key:` followed by `- item` lines), which is all the sample cards use."""


def card_data(readme: str) -> dict | None:
    """The front matter between the leading `---` lines of a README, or None when there is none."""
    lines = readme.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    data: dict = {}
    key = None
    for line in lines[1:]:
        if line.strip() == "---":
            return data
        if line.startswith("- ") and key is not None:
            data.setdefault(key, []).append(line[2:].strip())
        elif ":" in line:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if value:
                data[key] = value
    return None
