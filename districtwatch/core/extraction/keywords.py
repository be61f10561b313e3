"""The keyword pack: every word the extractor reacts to, for one conflict, per language.

A pack is one YAML file, ``districtwatch/data/keywords/<name>.yaml`` (its header documents the schema).
It names the actors and their spellings, the *frames* (what a verb says about who gained and who lost),
the verbs of each frame per language, and the words that hedge, deny, date, negate or disqualify a claim.
Code never names an actor or a place; another conflict is another pack plus another gazetteer.

The pack is validated here, once, with pydantic (this is an edge: a file written by people), and every
problem is reported as a ConfigError naming the file, the entry and what is wrong with it.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from districtwatch.errors import ConfigError

__all__ = [
    "ActorSpec",
    "DatedActor",
    "FrameSpec",
    "KeywordPack",
    "LanguageSpec",
    "actor_at",
    "load_keyword_pack",
]

Role = Literal["gained_by", "lost_by", "none"]
Phrase = str


class DatedActor(BaseModel):
    """An actor that holds a role until a date: who an unnamed liberator is changes with the war."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: str
    until: date | None = None  # exclusive; the last entry has none


ActorByDate = str | tuple[DatedActor, ...]


def actor_at(value: ActorByDate | None, at: datetime | None) -> str | None:
    """The actor ``value`` names at time ``at`` (no time: the latest entry)."""
    if value is None or isinstance(value, str):
        return value
    if at is not None:
        day = at.date()
        for entry in value:
            if entry.until is None or day < entry.until:
                return entry.actor
    return value[-1].actor if value else None


def _actors_named(value: ActorByDate | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [entry.actor for entry in value]


def _check_phrases(values: list[str]) -> list[str]:
    for value in values:
        if not value.strip():
            raise ValueError("empty phrase")
        if "*" in value.rstrip("*") or value.endswith("**"):
            raise ValueError(f"{value!r}: '*' may only end a phrase (prefix match of its last word)")
        if value.strip() == "*":
            raise ValueError("a phrase cannot be only '*'")
    return values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FrameSpec(_Strict):
    """What a verb of this frame says about the actors around it.

    ``agent``: the role of the unmarked actor before the verb (its subject); ``patient``: the role of the
    unmarked actor after it (English object: "drove <party> out"); ``passive``: the frame used when a
    passive auxiliary precedes the verb; ``default_gained_by``: who gained when the post names nobody
    (one actor, or a list of ``{actor, until}`` for a default that changed with the war);
    ``requires_gainer``/``requires_loser``: the verb is too common to count without that actor named.
    """

    agent: Role = "none"
    patient: Role = "none"
    passive: str | None = None
    default_gained_by: ActorByDate | None = None
    requires_gainer: bool = False
    requires_loser: bool = False
    recapture: bool = False
    state: bool = False  # describes who holds a place now ("now in control"), lends its actor to a loss
    follows: bool = False  # repeats the change of an earlier clause for its own place ("Y followed")
    nominal: bool = False  # a noun ("the fall of X"): a modal after it in its clause predicts too


class ActorSpec(_Strict):
    """One party; ``opponent`` gains by default when this party loses a place and the post names no gainer."""

    opponent: ActorByDate | None = None
    names: dict[str, list[Phrase]]

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("an actor needs at least one name")
        for phrases in value.values():
            _check_phrases(phrases)
        return value


class LanguageSpec(_Strict):
    """The phrases of one language; markers ``*_before``/``*_after`` sit right before/after what they mark."""

    verbs: dict[str, list[Phrase]]
    passive_auxiliaries: list[Phrase] = Field(default_factory=list)
    negations_before: list[Phrase] = Field(default_factory=list)
    negations_after: list[Phrase] = Field(default_factory=list)
    gainer_before: list[Phrase] = Field(default_factory=list)
    gainer_after: list[Phrase] = Field(default_factory=list)
    loser_before: list[Phrase] = Field(default_factory=list)
    loser_after: list[Phrase] = Field(default_factory=list)
    oblique_before: list[Phrase] = Field(default_factory=list)
    oblique_after: list[Phrase] = Field(default_factory=list)
    fillers: list[Phrase] = Field(default_factory=list)
    adverbs: list[Phrase] = Field(default_factory=list)
    hedges: list[Phrase] = Field(default_factory=list)
    claim_words: list[Phrase] = Field(default_factory=list)
    counter_statements: list[Phrase] = Field(default_factory=list)
    contrasts: list[Phrase] = Field(default_factory=list)
    denials: list[Phrase] = Field(default_factory=list)
    history: list[Phrase] = Field(default_factory=list)
    history_year_before: list[Phrase] = Field(default_factory=list)
    past_references: list[Phrase] = Field(default_factory=list)
    not_change_after: list[Phrase] = Field(default_factory=list)
    history_year_after: list[Phrase] = Field(default_factory=list)
    ongoing: list[Phrase] = Field(default_factory=list)
    off_topic: list[Phrase] = Field(default_factory=list)
    predictions: list[Phrase] = Field(default_factory=list)
    month_before: list[Phrase] = Field(default_factory=list)
    clause_breaks: list[Phrase] = Field(default_factory=list)
    list_joiners: list[Phrase] = Field(default_factory=list)
    district_words: list[Phrase] = Field(default_factory=list)
    province_words: list[Phrase] = Field(default_factory=list)
    city_words: list[Phrase] = Field(default_factory=list)
    capital_before: list[Phrase] = Field(default_factory=list)
    capital_after: list[Phrase] = Field(default_factory=list)
    place_modifiers: list[Phrase] = Field(default_factory=list)
    seat_words: list[Phrase] = Field(default_factory=list)
    seat_links: list[Phrase] = Field(default_factory=list)
    relatives: list[Phrase] = Field(default_factory=list)
    anaphors: list[Phrase] = Field(default_factory=list)
    not_district_before: list[Phrase] = Field(default_factory=list)
    not_district_after: list[Phrase] = Field(default_factory=list)
    area_before: list[Phrase] = Field(default_factory=list)
    area_after: list[Phrase] = Field(default_factory=list)
    locative_before: list[Phrase] = Field(default_factory=list)
    locative_after: list[Phrase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _phrases(self) -> LanguageSpec:
        for name, value in self:
            if name == "verbs":
                for phrases in self.verbs.values():
                    _check_phrases(phrases)
            else:
                _check_phrases(value)
        return self

    def word_lists(self) -> dict[str, list[str]]:
        """Every list except ``verbs``, by field name."""
        return {name: value for name, value in self if name != "verbs"}


class KeywordPack(_Strict):
    """A whole pack; cross-references (frames, actors, folds) are checked on load."""

    name: str = Field(min_length=1)
    description: str = ""
    match_folds: dict[str, str] = Field(default_factory=dict)
    claim_place_kinds: list[str] = Field(default_factory=list)
    region_place_kinds: list[str] = Field(default_factory=list)
    weak_names: list[Phrase] = Field(default_factory=list)
    actors: dict[str, ActorSpec]
    frames: dict[str, FrameSpec]
    languages: dict[str, LanguageSpec]

    @field_validator("match_folds")
    @classmethod
    def _folds(cls, value: dict[str, str]) -> dict[str, str]:
        for source, target in value.items():
            if len(source) != 1:
                raise ValueError(f"fold source {source!r} must be one character")
            if target in value:
                raise ValueError(
                    f"fold target {target!r} is itself folded; fold {source!r} straight to the end"
                )
        return value

    @model_validator(mode="after")
    def _references(self) -> KeywordPack:
        if not self.actors:
            raise ValueError("actors: at least one actor is needed")
        for name, actor in self.actors.items():
            for opponent in _actors_named(actor.opponent):
                if opponent not in self.actors:
                    raise ValueError(f"actors.{name}.opponent: {opponent!r} is not an actor of this pack")
        for name, frame in self.frames.items():
            if frame.passive is not None and frame.passive not in self.frames:
                raise ValueError(f"frames.{name}.passive: {frame.passive!r} is not a frame of this pack")
            for default in _actors_named(frame.default_gained_by):
                if default not in self.actors:
                    raise ValueError(f"frames.{name}.default_gained_by: {default!r} is no actor of the pack")
        if not self.languages:
            raise ValueError("languages: at least one language is needed")
        for code, language in self.languages.items():
            if not any(language.verbs.values()):
                raise ValueError(f"languages.{code}.verbs: no verb at all, nothing could ever be claimed")
            for frame_name in language.verbs:
                if frame_name not in self.frames:
                    raise ValueError(
                        f"languages.{code}.verbs.{frame_name}: no frame of that name in 'frames'"
                    )
        return self


def _locate(name_or_path: str | Path) -> Path | Any:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml")):
        return Path(name_or_path)
    return resources.files("districtwatch.data").joinpath("keywords", f"{text}.yaml")


def load_keyword_pack(name_or_path: str | Path = "afghanistan") -> KeywordPack:
    """Load and validate a keyword pack by name (``districtwatch/data/keywords/<name>.yaml``) or by path.

    Raises ConfigError whose message names the file, the entry at fault and the problem.
    """
    where = _locate(name_or_path)
    try:
        raw = yaml.safe_load(where.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"keyword pack {name_or_path!s}: no such file {where}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"keyword pack {where}: not readable YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"keyword pack {where}: the top level must be a mapping, got {type(raw).__name__}")
    try:
        return KeywordPack.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise ConfigError(f"keyword pack {where}: {loc}: {message}{more}") from exc
