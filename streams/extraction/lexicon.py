"""PLOVER trigger lexicon: how news words report each event root, mode and subtype."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from schemas.event import MODES, EventType
from streams.extraction.morphology import ING, NOUN, PAST, Tag, noun_forms, verb_forms

# A pattern is words separated by spaces; the first is the head looked up in the sentence,
# the rest must follow it. In a word, `a/b` are alternatives, `~` inflects a verb (agree~ is
# agree, agrees, agreed, agreeing), `+` a noun (talk+ is talk, talks), `*` marks a verb form
# written out (freed*), `_` joins two words. `...` skips up to four words, `?word` is
# optional, `-word` must not follow. Patterns of one entry are split by `;`.
GAP = r"(?:\s+[^\s,;:]+){0,4}?"


@dataclass(frozen=True)
class Entry:
    """One way of reporting an event: its PLOVER coding and how much the words can be trusted."""

    root: EventType
    mode: str | None
    subtype: str
    weight: float  # how often the words mean this event in political news, 0..1
    tail: re.Pattern[str] | None
    needs: Context | None  # the sentence must also say this somewhere
    unless: Context | None  # and must not say this
    not_after: re.Pattern[str] | None  # nor this right after the head
    verbal: bool | None  # force verb (True) or noun (False) reading; None: from the form
    speech: bool  # a speech act whose complement is reported content (urge X to attack)
    needs_place: bool = False  # only an event when a place is named (troops "in" somewhere)
    # a statement about an event, not an event (CAMEO 01): "denied having troops there", "declined
    # to comment"; it still governs what it reports, and names REJECT when a root is demanded
    statement: bool = False
    specific: bool = False  # its tail requires words, so it is tried before bare heads


def _word_forms(word: str) -> dict[str, Tag]:
    if word.endswith("~"):
        return verb_forms(word[:-1])
    if word.endswith("+"):
        return noun_forms(word[:-1])
    if word.endswith("*"):
        return {word[:-1]: ING if word.endswith("ing*") else PAST}
    return {word: NOUN}


def _alternatives(word: str) -> list[str]:
    out: list[str] = []
    for alt in word.split("/"):
        phrases = [""]
        for part in alt.split("_"):
            phrases = [f"{p} {f}".strip() for p in phrases for f in _word_forms(part)]
        out += phrases
    return out


def _group(word: str) -> str:
    forms = sorted(set(_alternatives(word)), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + r")(?![\w-])"


def _head(word: str) -> dict[str, Tag]:
    heads: dict[str, Tag] = {}
    for alt in word.split("/"):
        for form, tag in _word_forms(alt).items():
            heads.setdefault(form, tag)
    return heads


def _tail(words: list[str]) -> str:
    parts = []
    for word in words:
        if word == "...":
            parts.append(GAP)
        elif word.startswith("?"):
            parts.append(rf"(?:\s+{_group(word[1:])})?")
        elif word.startswith("-"):
            parts.append(rf"(?!\s+{_group(word[1:])})")
        else:
            parts.append(rf"\s+{_group(word)}")
    return "".join(parts)


# Words a sentence must (or must not) also hold for an entry to apply: `word`, `prefix*`, or
# `two_words` (a phrase).
_CONTEXTS: dict[str, str] = {
    "military": "troops soldiers forces military army navy naval air_force marines warship "
    "warships jets aircraft missile missiles weapons live-fire amphibious tanks artillery "
    "defence defense war_games wargames armed carrier bombers submarine submarines drills",
    "weapon": "missile missiles rocket rockets drone drones shell shells artillery airstrike "
    "airstrikes air_strike aircraft warplanes jets bomb bombs troops forces militants gunmen "
    "fighters rebels insurgents mortar mortars army soldiers militia militias bomber bombers "
    "helicopter helicopters gunship gunships tank tanks gun guns gunfire police military "
    "jihadist jihadists terrorist terrorists attackers assailants raiders separatists",
    "missile": "missile missiles icbm icbms slbm slbms irbm irbms srbm srbms rocket rockets "
    "projectile projectiles hwasong* tomahawk tomahawks iskander iskanders kinzhal kinzhals",
    "troops": "troops soldiers forces servicemen marines paratroopers reinforcements battalion "
    "battalions brigade brigades units warships fighter_jets contingent peacekeepers personnel",
    "police": "police officers gendarmes security_forces national_guard",
    "disaster": "earthquake quake flood floods flooding storm typhoon hurricane cyclone tornado "
    "landslide landslides avalanche wildfire wildfires blaze heatwave drought outbreak virus "
    "disease epidemic pandemic crash crashed accident collision derail* capsized sank stampede "
    "lightning mudslide mudslides volcan* gas_leak boiler mine_collapse factory_fire traffic "
    "gas_explosion explosion_at_a explosion_at_the chemical_plant industrial",
    "labour": "workers union unions staff employees teachers doctors nurses drivers miners "
    "dockers pilots walkout wage wages pay pension pensions labour labor general_strike "
    "nationwide_strike on_strike strikers transport rail railway",
    "strike_weapon": "air missile drone military artillery rocket retaliatory pre-emptive "
    "preemptive nuclear precision surgical israeli russian ukrainian u.s. american aerial naval",
    "crowd": "protesters protestors demonstrators rioters crowd crowds mob mobs students "
    "activists youths residents supporters farmers workers fans",
    "space": "satellite satellites spacecraft space_agency astronaut astronauts space_station "
    "lunar moon orbit orbital",
    "threat_said": "consequences retaliat* response war force action measures punish* "
    "countermeasures",
    "strike_at": "struck hit hitting kill* target* barrage strike_on strikes_on",
}


@dataclass(frozen=True)
class Context:
    """Words a sentence must or must not hold, found by set lookups rather than regexes."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    phrase_heads: frozenset[str] = frozenset()  # first words: a phrase is sought only after one

    def found(self, lowered: str, words: Collection[str]) -> bool:
        """Whether the sentence (lower-cased, and its words as read from it) holds any of them."""
        if not self.words.isdisjoint(words):
            return True
        if self.phrases and not self.phrase_heads.isdisjoint(words):
            for phrase in self.phrases:
                if phrase in lowered:
                    return True
        if not self.prefixes:
            return False
        # A word of the sentence starting with a prefix holds it: one substring search per
        # prefix rules most sentences out before their words are walked.
        for prefix in self.prefixes:
            if prefix in lowered:
                return any(w.startswith(self.prefixes) for w in words)
        return False


@cache
def _ctx(names: str | None) -> Context | None:
    if names is None:
        return None
    items = [i for n in names.split(",") for i in _CONTEXTS.get(n, n.replace(" ", "_")).split()]
    return Context(
        words=frozenset(i for i in items if "_" not in i and "*" not in i and "." not in i),
        prefixes=tuple(i[:-1] for i in items if i.endswith("*")),
        phrases=tuple(i.replace("_", " ") for i in items if "_" in i or "." in i),
        phrase_heads=frozenset(_first_word(i) for i in items if "_" in i or "." in i),
    )


def _first_word(phrase: str) -> str:
    """The first word of a phrase as sentences are split into words ("u.s." starts with "u")."""
    m = re.match(r"[a-z][a-z'’-]*", phrase)
    return m.group() if m else phrase


_SPEECH_ROOTS = frozenset({"ACCUSE", "REQUEST", "REJECT", "AGREE", "SUPPORT", "THREATEN"})


def E(
    coding: str,
    subtype: str,
    patterns: str,
    w: float = 0.85,
    *,
    needs: str | None = None,
    unless: str | None = None,
    not_after: str | None = None,
    verbal: bool | None = None,
    speech: bool | None = None,
    tail_re: str = "",
    needs_place: bool = False,
    statement: bool = False,
) -> list[tuple[dict[str, Tag], Entry]]:
    """Entries for every pattern of one coding ("ROOT" or "ROOT/mode")."""
    root, _, mode = coding.partition("/")
    if mode and mode not in MODES.get(root, frozenset()):
        raise ValueError(f"lexicon: {mode!r} is not a PLOVER mode of {root}")
    out = []
    for pattern in patterns.split(";"):
        head, *rest = pattern.split()
        tail = _tail(rest) + tail_re
        specific = bool(tail_re) or any(not w.startswith("-") for w in rest)
        entry = Entry(
            root=root,  # type: ignore[arg-type]  # checked against MODES above and in tests
            mode=mode or None,
            subtype=subtype,
            weight=w,
            tail=re.compile(tail, re.IGNORECASE) if tail else None,
            needs=_ctx(needs),
            unless=_ctx(unless),
            not_after=re.compile(rf"\s+(?:{not_after})\b", re.IGNORECASE) if not_after else None,
            verbal=verbal,
            speech=root in _SPEECH_ROOTS if speech is None else speech,
            needs_place=needs_place,
            specific=specific,
            statement=statement,
        )
        out.append((_head(head), entry))
    return out


_RELEASE_OBJECTS = (
    r"(?:(?:a|an|the|its|their|his|her|new|latest|first|\w+ly)\s+)?(?:[\w-]+\s+)?"
    r"(?:statement|report|video|"
    r"footage|data|figures|images?|photos?|results|details|list|document|recording|plan|"
    r"album|film|song|book|version|update|guidance|findings|transcript|budget|memoir)"
)
_PRESENT = (
    r"are|were|is|was|have|has|had|been|now|already|reportedly|currently|still|stationed|"
    r"deployed|based|arrived|moved|poured|massed|gathered|fighting|serving|operating"
)
_TROOP_NOUNS = "troops|soldiers|forces|servicemen|marines|paratroopers"

# Specific patterns come before the general ones that share their head: at a head, the first
# entry (in this order, those with a tail first) whose words match wins, and a longer match
# hides the triggers it covers ("signed a ceasefire" is an agreement, not a ceasefire).
LEXICON: tuple[tuple[dict[str, Tag], Entry], ...] = tuple(
    entry
    for group in (
        # --- heads whose object decides the root: the narrower reading first -----------------
        E("THREATEN/violence", "military_threat",
          "vow~/pledge~/promise~/swear~ ... to ... retaliate~/revenge/avenge~/punish~/crush~/"
          "destroy~/hit/strike/fight/annihilate~/wipe/attack/attacks/war/respond_militarily;"
          "vow~/pledge~/promise~/swear~ ... retaliation/revenge/response/reprisal+", 0.85),
        E("MOBILIZE/troops", "military_preparation",
          "prepare~ ... to/for ... attack+/offensive+/assault+/war/invasion+/strike+/"
          "shelling/bombing/battle+/fighting/operation+", 0.8, verbal=True),
        E("ASSAULT", "ceasefire_violation",
          "violate~/breach~/break~ ... ceasefire+/cease-fire+/truce+/armistice+", 0.85),
        E("SANCTION/withdraw", "staff_withdrawal",
          "withdraw~/pull~ ... inspector+/monitor+/observer+/aid_workers/humanitarian_workers/"
          "staff/mission+/experts/advisers/advisors", 0.85),
        E("RETREAT/release", "return",
          "return~/hand~_back/give~_back ... weapons/territory/property/land/lands/equipment/"
          "assets/bodies/remains/prisoners/hostages/detainees/helicopter+/aircraft/ship+/"
          "vessel+/seized/confiscated/artifacts", 0.8),
        E("SANCTION/expel", "diplomat_expulsion",
          "expel~/eject~/kick~ ... diplomat+/ambassador+/envoy+/attache+/consul+/embassy/"
          "embassy_staff/charge; persona non grata; expulsion+ of ... diplomat+/ambassador+/"
          "envoy+", 0.95),
        E("SANCTION/withdraw", "recall_ambassador",
          "recall~/withdraw~ ... ambassador+/envoy+/diplomat+/diplomatic_staff", 0.95),
        E("SANCTION/withdraw", "treaty_withdrawal",
          "withdraw~/pull~/exit~/quit~/leave~ ... from/of ... treaty/treaties/agreement+/accord+/"
          "deal+/pact+/convention+/organization+/organisation+/alliance+/talks/negotiations/"
          "union/bloc/court/council/body/framework; withdrawal+ from ... treaty/treaties/"
          "agreement+/accord+/deal+/pact+/convention+/organization+/alliance+/talks", 0.9),
        E("SANCTION/discontinue", "severed_relations",
          "sever~/cut~/break~/downgrade~/suspend~/freeze~/end~ ... ties/relations/contacts/"
          "links; break~ off ... talks/negotiations/relations/ties/dialogue; "
          "suspend~/halt~/freeze~/call~_off/cancel~/postpone~/end~/abandon~ ... talks/"
          "negotiations/dialogue/visit+/meeting+/summit+/mediation/efforts", 0.9),
        E("SANCTION/discontinue", "aid_suspension",
          "suspend~/halt~/cut~/freeze~/stop~/withhold~/end~/slash~/pause~/withdraw~ ... aid/"
          "assistance/funding/support/cooperation/loans/payments/membership/participation/"
          "imports/exports/trade/flights/shipments/deliveries/links/air_links/supplies; "
          "reduce~ ... aid/assistance/funding/supplies/rations; "
          "prohibit~/ban~ ... aid/exports/imports/trade/flights/investment; "
          "suspension+/halt/freeze/cut+/cutoff+ ... of/in ... aid/assistance/funding/links/"
          "flights/trade/ties/relations/cooperation/talks/negotiations/membership", 0.85),
        E("SANCTION/expel", "expulsion",
          "expel~/eject~/kick~/throw~/order~/force~ ... inspector+/monitor+/observer+/peacekeeper+/"
          "UN/U.N./mission+/agency/agencies/NGO+/aid_workers/staff/out_of_the_country", 0.85),
        E("CONCEDE", "concession",
          "lift~/ease~/relax~/loosen~/scrap~/rescind~/revoke~/drop~/repeal~/remove~/"
          "reverse~/waive~/cancel~/shorten~/reduce~/annul~/overturn~ ... ban+/restriction+/"
          "sanctions/embargo+/curfew+/curb+/"
          "controls/measures/lockdown+/rules/tariffs/visa_requirements/state_of_emergency/"
          "martial_law/charges/demand+/objection+/opposition/veto/decision+/policy/reform+/"
          "requirement+/law+/decree+/bill+/travel_ban+/blacklisting/conditions;"
          "withdraw~ ... bill+/proposal+/legislation/decree+/candidacy/nomination+/"
          "charges/complaint+/lawsuit+/objection+; "
          "accept~ ... demand+/conditions/responsibility/defeat/blame/verdict+/ruling+;"
          "meet~ ... demand+; call~ off ... strike+/protest+/boycott+/demonstration+/rally/"
          "rallies/march+/sit-in+/blockade+/hunger_strike+", 0.8),
        E("RETREAT/access", "humanitarian_access",
          "allow~/let~/permit~/grant~/open~/reopen~/restore~/facilitate~ ... access/aid/"
          "convoy+/truck+/inspector+/monitor+/observer+/humanitarian/corridor+/"
          "crossing+/deliveries/evacuation/bridge+/border+; humanitarian corridor+/access; "
          "receive~/admit~/accept~/welcome~ ... observer+/monitor+/inspector+/mission+; "
          "lift~/end~/ease~ ... siege+/blockade+", 0.85),
        E("COERCE/restrict", "restriction",
          "deny~/refuse~ ... entry/access/visa+/permission/landing_rights/passage/overflight",
          0.8),
        E("AGREE", "peace_agreement",
          "sign~/ink~/seal~/reach~/strike~/clinch~/conclude~/broker~/agree~ ... peace/"
          "ceasefire/cease-fire/truce/armistice ?deal/agreement/accord/pact/treaty/plan;"
          "peace deal+/agreement+/accord+/treaty/treaties/pact+/plan+", 0.9),
        E("AGREE", "agreement",
          "sign~/ink~/seal~/reach~/strike~/clinch~/conclude~/finalize~/broker~/forge~/renew~ "
          "... deal+/agreement+/accord+/pact+/treaty/treaties/memorandum/memorandums/memoranda/"
          "protocol+/consensus/compromise+/understanding/settlement+/declaration+/"
          "charter+/contract+/roadmap+; "
          "accept~ ... offer+/proposal+/plan+/invitation+/terms/deal+/agreement+/settlement+/"
          "mediation/bid+/request+/ceasefire+/truce+; "
          "approve~ ... deal+/agreement+/accord+/treaty/treaties/pact+/plan+/resolution+/"
          "accession/bid+/membership; "
          "adopt~ ... resolution+/declaration+/agreement+/charter+", 0.9),
        E("ASSAULT/aerial", "missile_strike",
          "fire~/launch~/lob~/shoot~ ... missile+/rocket+/projectile+/ICBM+/drone+/shell+ "
          "... at/on/toward/towards/into/against/across ... city/cities/capital/town+/"
          "village+/target+/position+/base+/area+/region+/territory/infrastructure/civilians/"
          "homes/district+/neighborhood+/neighbourhood+/port+/airport+/settlement+;"
          "missile/rocket strike+/attack+/barrage+/fire; "
          "ballistic missile_strike+/missile_attack+; "
          "missiles/rockets/projectiles ... struck/hit/hits/slammed/landed/rained/pounded/"
          "killed/targeted", 0.9, verbal=True,
          tail_re=r"|\s+(?:\S+\s+){0,6}?at\s+(?:the\s+)?(?-i:[A-Z])"),
        E("RETREAT/disarm", "disarmament",
          "hand~ over ... weapons/arms/heavy_weapons; lay~ down ... arms/weapons; "
          "dismantle~ ... weapons/nuclear/missile+/arsenal+/program+/programme+/bases", 0.85),
        E("AID", "arms_transfer",
          "send~/deliver~/ship~/supply~/provide~/give~/transfer~/hand~/donate~/airlift~ ... "
          "weapons/arms/ammunition/munitions/tanks/missiles/jets/fighter_jets/drones/"
          "howitzers/artillery/air_defense/air_defence/air-defence/air-defense/Patriot/"
          "shells/rifles/armored_vehicles/armoured_vehicles/military_aid/military_equipment/"
          "military_assistance", 0.85),
        E("AID", "asylum", "grant~/offer~/give~ ... asylum/refuge/sanctuary", 0.85),
        E("SUPPORT", "support",
          "express~/voice~/reaffirm~/reiterate~/declare~/show~/signal~/pledge~/offer~/"
          "extend~/throw~/lend~ ... support/backing/solidarity/sympathy/condolences/"
          "gratitude/appreciation/endorsement", 0.85),
        E("AID", "aid",
          "send~/deliver~/ship~/supply~/provide~/give~/donate~/airlift~/airdrop~/distribute~/"
          "allocate~/disburse~/earmark~/channel~/extend~/approve~/grant~/offer~/pledge~ ... "
          "aid/assistance/support/relief/supplies/food/medicine+/medical/vaccines/tents/"
          "shelter/water/fuel/funding/funds/loan+/grant+/credit+/money/cash/"
          "humanitarian/blankets/rations/help/equipment/doctors/rescue_teams", 0.8),
        E("RETREAT/release", "release",
          "hand~ over ... prisoners/hostages/detainees/bodies/remains", 0.85),
        # --- AGREE: agree, promise, offer, sign or ratify an agreement ---------------------
        E("AGREE", "intent", "willing/ready/prepared to -be", 0.6, verbal=False),
        E("AGREE", "agreement",
          "agree~ -with/that_he/that_she; agreement+; accord+ -with; deal+ -with/of; pact+;"
          "treaty/treaties; ratify~; ratification+; pledge~ -allegiance; vow~; "
          "promise~ -of; commit~ to/itself/themselves/himself/herself; offer~; accept~; "
          "guarantee~; consent~ to; assure~; "
          "willingness/readiness to -be; "
          "settle~ ... dispute+/differences/conflict+/row+/case+/disagreement+; "
          "reconcile~; reconciliation", 0.8),
        # --- SUPPORT: praise, endorse, defend, back ----------------------------------------
        E("SUPPORT", "support",
          "support~ -for; support -for_the_bill; backing -of; solidarity; "
          "condolences; praise~; hail~; commend~; applaud~; laud~; welcome~ -to; "
          "endorse~; endorsement+; congratulate~; thank~; "
          "defend~ -against/itself/themselves/the_city/the_town/positions; "
          "backed*/backs* -down/off/away/out/up; champion~; "
          "side~ with; stand~ with/by/behind; rally~ behind/around/to; "
          "recognize~ ... government/independence/state/sovereignty/statehood/election/victory",
          0.8),
        # --- CONCEDE: yield, give in, apologize ---------------------------------------------
        E("CONCEDE", "concession",
          "concede~ -that; concession+; give~ in/way; cave~ in; back~ down/off/away; "
          "bow~ to; yield~ to; relent~; accede~ to; capitulate~; "
          "apologize~; apology; apologies; admit~ -to_hospital; "
          "grant~ ... amnesty/pardon+/concession+/autonomy/independence/clemency; "
          "amnesty; pardon~; compromise~; allow~; permit~", 0.65),
        # --- COOPERATE: joint action, relations, shared information -------------------------
        E("COOPERATE", "military_exercise",
          "joint ?military/naval/air/air-defense/live-fire/amphibious/anti-submarine "
          "exercise+/drill+/war_games/maneuvers/manoeuvres/wargames", 0.9),
        E("AID", "peacekeeping",
          "deploy~/send~/dispatch~/contribute~/station~ ... peacekeeper+/peacekeeping/"
          "blue_helmets; peacekeeping force+/troops/mission+/contingent+/operation+; "
          "deployment+ ... of ... peacekeeping/peacekeepers; peacekeepers", 0.85),
        E("COOPERATE", "military_cooperation",
          "joint ?military/naval/air/border/coast_guard patrol+/operation+/task_force+; "
          "military/defense/defence/security cooperation/partnership+/alliance+/ties; "
          "sell~ ... weapons/arms/jets/missiles/tanks/drones/submarines/helicopters/"
          "warships/howitzers/ammunition/munitions/air_defense/air_defence; "
          "arms sale+/deal+", 0.85),
        E("COOPERATE", "diplomatic_relations",
          "restore~/establish~/normalize~/resume~/upgrade~/re-establish~/reestablish~/"
          "strengthen~/deepen~/improve~/boost~/expand~/renew~ ... relations/ties/cooperation/"
          "partnership/dialogue/trade/contacts/links; "
          "exchange~ ambassadors/envoys; normalization+", 0.85),
        E("COOPERATE", "cooperation",
          "cooperate~; cooperation -agreement; collaborate~; collaboration+; "
          "work~ together/jointly/closely; team~ up; join~ forces; partner~ with; "
          "partnership+; coordinate~; "
          "step~ up ... cooperation/coordination/collaboration; "
          "share~/exchange~ ... intelligence/information/data/technology/expertise/evidence; "
          "extradite~; extradition+; "
          "joint investigation+/venture+/project+/mission+/effort+/bid+; "
          "ally~ with; alliance+", 0.75),
        # --- AID: give material help ----------------------------------------------------------
        E("AID", "arms_transfer", "military aid/assistance/package+/support", 0.85),
        E("AID", "asylum", "asylum", 0.6),
        E("AID", "aid",
          "evacuate~/airlift~ ... wounded/injured/civilians/refugees/residents/people/"
          "children/sick; hand~ over ... medicine+/food/supplies/aid; provide~; "
          "aid -to_the_president/worker+/group+/agency/agencies/organization+/"
          "official+/convoy+/truck+; assistance; donate~; donation+; "
          "fund~ -manager+; funding; loan+ -shark; lend~; relief -at/that; "
          "rescue~; bailout+; bail~ out; humanitarian aid/assistance/supplies/relief", 0.75),
        # --- CONSULT: meet, talk, visit, call ------------------------------------------------
        E("CONSULT/phone", "phone_call",
          "phone/telephone/video call+/conversation+/talks; phone~; "
          "speak~/talk~ ... by/over phone/telephone/video; call~ with", 0.9),
        E("CONSULT/visit", "state_visit", "state/official visit+", 0.95),
        E("CONSULT/visit", "visit",
          "visit~ -to_the_site; trip+ to; arrive~ in/at ... for/on visit+/talks/trip+;"
          "tour~ -de; travel~ to ... for/to talks/meet~/visit+/discuss~; host~/receive~ "
          "... president/leader+/minister+/counterpart+/delegation+/envoy+/king/chancellor/"
          "premier/secretary/prince/head_of_state; "
          "welcome+ ... to/for ... president/leader+/minister+/counterpart+/delegation+/"
          "king/chancellor/premier/prince; welcome~ ... visiting/to_the/to_his/to_its", 0.8),
        E("CONSULT/third-party", "mediation",
          "mediate~; mediation+; broker~/host~/facilitate~ ... talks/negotiations/dialogue/"
          "meeting+/summit+", 0.85),
        E("CONSULT", "summit", "summit+", 0.9),
        E("CONSULT", "talks",
          "meet~ -expectations/the_deadline/the_target/the_requirements/criteria/demand+/"
          "resistance/criticism/skepticism/scepticism/opposition/anger/silence/protests/"
          "condemnation/the_needs/needs/targets/goals/obligations/its_obligations/"
          "their_obligations/the_conditions/conditions/the_challenge; "
          "meeting+ -point+/demand+/expectations/targets; talks; negotiate~; negotiation+; "
          "discuss~; discussion+; consult~; consultation+; "
          "confer~ with; dialogue+; convene~; gather~ ... to/for discuss~/talks/meeting+/"
          "summit+; session+", 0.75),
        # --- RETREAT: withdraw, release, ceasefire, resign, disarm ---------------------------
        E("RETREAT/ceasefire", "ceasefire",
          "ceasefire+; cease-fire+; truce+; armistice+; "
          "halt~/stop~/cease~/suspend~/end~/pause~ ... fighting/hostilities/attacks/"
          "offensive+/bombing+/bombardment+/strikes/airstrikes/air_strikes/shelling/"
          "operations/military_operations/combat/assault+/war; "
          "de-escalate~; de-escalation; humanitarian pause+", 0.85),
        E("RETREAT/withdraw", "withdrawal",
          "withdraw~ ... troops/force+/soldiers/units/tanks/army/military/fighters/"
          "peacekeepers/contingent+/personnel/from; withdrawal+; "
          "pull~ ... out/back/troops/forces; pullout+; pull-out+; retreat~; "
          "evacuate~ ... troops/forces/soldiers/base+/embassy/embassies/positions/settlement+/"
          "settlers/outpost+; "
          "leave~ ... positions/territory/base+/bases; hand~ back", 0.85),
        E("RETREAT/release", "release",
          "release~/free~ ... hostage+/prisoner+/detainee+/captive+/journalist+/"
          "activist+/dissident+/sailors/soldiers/crew/crews/workers/civilians/students/"
          "nationals/citizens/children/women/people/men/him/her/them/all; "
          "release~; freed*; frees*; freeing*; hostage/prisoner/detainee swap+/exchange+/"
          "release+; pay~ ... compensation/reparations", 0.8, not_after=_RELEASE_OBJECTS),
        E("RETREAT/resign", "resignation",
          "resign~ -to/itself/themselves; resignation+; step~ down/aside; quit~; "
          "stand~ down; abdicate~", 0.85),
        E("RETREAT/disarm", "disarmament",
          "disarm~; disarmament; demobilize~; demobilization; decommission~; surrender~",
          0.8),
        # --- REQUEST: demand, urge, appeal, ask ----------------------------------------------
        E("REQUEST", "request", "must -have/be_a/be_the", 0.6, verbal=True),
        E("REQUEST", "request",
          "call~ on/upon/for; call+ for; urge~; demand~; request~; "
          "appeal~ -against/court; ask~ -about/whether/if/how/what/why/when/who/"
          "questions/question/by/to_be_named/not_to_be_named/to_remain/for_comment; "
          "plead~ -guilty/not; implore~; beseech~; "
          "press~ -conference+/release+/freedom/briefing+/secretary/office/agency; "
          "push~ ?hard/strongly for; insist~ on; pressure~; pressurize~; order~ ... to; "
          "seek~ ... refuge/asylum/sanctuary/help/assistance/aid/support/talks/clarification/"
          "extradition/explanation/guarantees/release/return/access/meeting+/compensation/"
          "an_end/end/removal/ceasefire+; petition~; exhort~; invite~; "
          "demand+; request+; appeal+; plea+", 0.85),
        # --- REJECT: reject, refuse, deny, veto ----------------------------------------------
        E("REJECT", "denial",
          "deny~/reject~/dismiss~/refute~/rebuff~ ... claim+/allegation+/accusation+/report+/"
          "charge+/criticism+/suggestion+/responsibility/involvement/wrongdoing/as/that/"
          "having/any; deny~; denial+; "
          "decline~/refuse~ ... comment/to_say/to_elaborate/to_confirm/to_respond/to_answer/"
          "to_speak/to_give_details/to_provide_details; no comment",
          0.7, statement=True),
        E("REJECT", "rejection",
          "reject~; rejection+; refuse~; refusal+; veto~; veto+; "
          "dismiss~ ... call+/demand+/proposal+/idea+/request+/offer+/appeal+/warning+/plan+;"
          "turn~ down; rule~ out; decline~ to/an/the/a/invitation+/offer+/requests/request;"
          "spurn~; rebuff~; snub~; oppose~; opposition to; object~ to; objection+; "
          "defy~; defiance; resist~ -arrest; repudiate~; refute~; disavow~; "
          "block~ ... resolution+/bill+/proposal+/motion+/deal+/sale+/nomination+/"
          "appointment+/accession/bid+/measure+/plan+/merger+/vote+; "
          "walk~ out of; boycott~ ... talks/negotiations/meeting+; renege~; "
          "violate~/flout~/breach~/defy~/ignore~ ... ban+/order+/"
          "resolution+/ruling+/law+/curfew+/embargo+/sanctions/agreement+/accord+", 0.85),
        E("REJECT", "rejection", "out of the question; no_way", 0.8, verbal=True),
        # --- ACCUSE: condemn, criticize, accuse, investigate ----------------------------------
        E("ACCUSE/investigate", "investigation",
          "investigate~; investigation+; probe~; probe+; inquiry; inquiries; "
          "enquiry; enquiries; look~ into; examine~; audit~; "
          "send~/dispatch~/deploy~ ... inspector+/investigator+/monitor+/observer+/"
          "fact-finding; hearing+ ... into",
          0.8, unless="space"),
        E("ACCUSE/allege", "accusation",
          "accuse~; accusation+; allege~; allegation+; blame~; "
          "charge~ ... with/that; indict~; indictment+; sue~; lawsuit+; "
          "file~/lodge~/bring~ ... complaint+/suit+/lawsuit+/case+/charges; "
          "hold~ ... responsible", 0.85),
        E("ACCUSE/disapprove", "condemnation",
          "condemn~; condemnation+; denounce~; denunciation+; deplore~; decry~; censure~;"
          "summon~ ... ambassador+/envoy+/charge/diplomat+/attache+", 0.9),
        E("ACCUSE/disapprove", "condemnation",
          "criticize~; criticism+; critical of; slam~ -the_door/into; blasted*; lambast~; "
          "lambaste~; rebuke~; reprimand~; chide~; scold~; castigate~; assail~; berate~; "
          "complain~; complaint+; lodge~ ... protest+; disapproval; disapprove~; "
          "outrage; outraged; "
          "express~/voice~ ... concern+/alarm/dismay/regret/anger/outrage/disappointment",
          0.75),
        # --- THREATEN ----------------------------------------------------------------------
        E("THREATEN", "threat",
          "threaten~; threat+ -to_peace; ultimatum+; "
          "give~ ... hours/days/deadline to; menace~; brandish~", 0.85),
        # a warning is a threat when it says what will follow, not when it advises ships
        E("THREATEN", "threat", "warn~; warning+", 0.7,
          needs="threat_said"),
        # --- PROTEST -----------------------------------------------------------------------
        E("PROTEST/hunger", "hunger_strike", "hunger strike+/striker+", 0.95),
        E("PROTEST/riot", "riot",
          "protesters/protestors/demonstrators/rioters/looters/crowds/crowd/mob/mobs/youths/"
          "fans ... "
          "clash~/throw~/hurl~/torch~/loot~/burn~/set/storm~/ransack~/attack~/smash~/"
          "vandalize~/pelt~", 0.85, verbal=True),
        E("PROTEST/riot", "riot",
          "riot~; rioter+; rioting; loot~; looting; stone-throwing; unrest", 0.8),
        E("PROTEST/strike", "strike",
          "go~ ... on strike; strike+; striking "
          "workers/miners/doctors/teachers/nurses/staff/employees/drivers/unions/dockers/"
          "pilots; walk~ out -of; walkout+; picket~; strikers; down~ tools",
          0.85, needs="labour", unless="strike_weapon"),
        E("PROTEST/boycott", "boycott", "boycott~; boycott+", 0.85),
        E("PROTEST/obstruct", "blockade",
          "block~/blockade~/barricade~/occupy~/obstruct~ ... road+/highway+/street+/bridge+/"
          "railway+/rail_lines/border_crossing+/crossing+/entrance+/port+/traffic/airport+/"
          "motorway+/intersection+/square/transport; sit-in+; barricade+; roadblock+",
          0.8, unless="police"),
        E("PROTEST/demo", "protest",
          "protest~; protest+; protester+; protestor+; "
          "demonstrate~ -its/their/his/her/the/a/that/ability/capability/capacity/commitment/"
          "resolve/willingness/strength/power/support; demonstration+; demonstrator+; "
          "rally~ -behind/around/support/to; rally+; "
          "march~; marcher+; take~ to ... streets; vigil+; "
          "take~ part ... protest+/demonstration+/rally+", 0.85),
        # --- SANCTION ----------------------------------------------------------------------
        E("SANCTION/convict", "conviction",
          "convict~; conviction+; sentence~/jail~/imprison~ ... to/for ... life/death/"
          "years/months/prison; sentenced*; find~/found* ... guilty", 0.85),
        E("SANCTION", "sanctions",
          "sanction+; sanctioned*; sanctioning*; embargo+; embargoed*; blacklist~; "
          "impose~/slap~/levy~/announce~/unveil~/adopt~/approve~/tighten~/expand~/extend~ "
          "... sanctions/embargo+/tariffs/penalties/punitive; "
          "freeze~ ... assets/accounts/funds/property; asset freeze+; "
          "punitive measures/tariffs/steps; tariffs", 0.9),
        # --- MOBILIZE ------------------------------------------------------------------------
        E("MOBILIZE/weapons", "nuclear_test",
          "nuclear ?weapon/weapons/bomb/device test+/tested*/testing*/detonation+/explosion+;"
          "detonate~ ... nuclear; underground test+", 0.95),
        E("MOBILIZE/weapons", "missile_test",
          "test-fire~; test-launch~; test~ -positive/negative; test+; "
          "launch~ -an_investigation/a_probe/an_inquiry/a_campaign/an_appeal/a_bid; "
          "launch+; fire~ -at/on/upon; firing+; flight test+; flight-test+",
          0.9, needs="missile",
          unless="space,strike_at",
          not_after=r"(?:a|an|its|the|their|his)\s+(?:\w+\s+)?(?:campaign|investigation|"
          r"probe|inquiry|initiative|programme|program|offensive|attack|assault|appeal|bid|"
          r"app|product|service|website|fund|review|study|platform)"),
        E("MOBILIZE/troops", "military_exercise",
          "exercise+ -caution/restraint/their/its/his/her/the_right/right/power/control/"
          "influence/veto/options/option; drill+ -for; war games; wargames; "
          "maneuvers; manoeuvres; manoeuvre+; maneuver+", 0.8, needs="military"),
        E("MOBILIZE/troops", "mobilization",
          "mobilize~ -support/voters/resources/funds/funding/money/pressure/public/opinion/"
          "supporters/groups/the_international; mobilization+; "
          "call~ up ... reservists/reserves/conscripts; call-up+; callup+; conscription; "
          "conscript~; reservists", 0.85),
        E("MOBILIZE/troops", "alert",
          "high/heightened/combat/full/maximum/highest/red/military alert; "
          "put~/place~/raise~/remain~/stay~/be ... on alert; readiness", 0.8,
          needs="military"),
        E("MOBILIZE/troops", "military_buildup",
          "mass~/amass~/concentrate~/reinforce~/bolster~/strengthen~ ... troops/"
          "forces/soldiers/tanks/armor/armour/artillery/warships/military/units/"
          "presence/positions; build~/beef~ up ... troops/forces/military/presence; "
          "build-up+; buildup+; reinforcement+; fortify~", 0.85),
        E("MOBILIZE/police", "police_deployment",
          "deploy~/send~/dispatch~/station~/rush~/post~/position~ ... police/officers/"
          "riot_police/gendarmes/national_guard/security_forces/guards",
          0.85, needs="police"),
        E("MOBILIZE/troops", "troop_deployment",
          "deploy~; deployment+; send~; dispatch~; station~; redeploy~; redeployment+; "
          "move~/rush~/airlift~/transfer~ ... troops/soldiers/forces/units/reinforcements/"
          "battalion+/brigade+/warships/jets/bombers/marines/paratroopers/peacekeepers",
          0.8, needs="troops", unless="peacekeep*"),
        # forces said to be somewhere: "soldiers are now in Kursk", "there are 8,000 soldiers in"
        E("MOBILIZE/troops", "troop_deployment",
          "troops/soldiers/forces/servicemen/marines/paratroopers",
          0.75, verbal=True, needs_place=True,
          tail_re=rf"(?=(?:\s+(?:{_PRESENT}))+\s+(?:in|into|inside)\s|"
          rf"(?:\s+(?:{_PRESENT}))*\s+(?:entered|crossed into)\s)"),
        E("MOBILIZE/troops", "troop_deployment",
          "there", 0.75, verbal=True, needs_place=True,
          tail_re=rf"\s+(?:are|were)\s+(?:[\w,’'-]+\s+){{0,4}}?(?:{_TROOP_NOUNS})"
          rf"(?=\s+(?:in|into|inside)\s)"),
        E("MOBILIZE/troops", "show_of_force",
          "patrol~ -the_streets; fly~/sail~ ... warships/bombers/jets/carrier+/through/"
          "near/over", 0.6, needs="military"),
        # --- COERCE ------------------------------------------------------------------------
        E("COERCE/restrict", "crowd_dispersal",
          "prevent~/disperse~/foil~/thwart~/block~/ban~/forbid~ ... demonstration+/protest+/"
          "rally/rallies/march+/gathering+/meeting+/sit-in+/demonstrators/protesters; "
          "break~ up ... demonstration+/protest+/rally/rallies/march+/gathering+/sit-in+",
          0.85),
        E("COERCE/martial-law", "martial_law", "martial law", 0.95),
        E("COERCE", "human_shields", "human shield+", 0.8),
        E("COERCE/curfew", "curfew", "curfew+", 0.9),
        E("COERCE", "state_of_emergency", "state+ of emergency; emergency rule", 0.85),
        E("COERCE/cyber", "cyberattack",
          "cyberattack+; cyber-attack+; cyber attack+/operation+; hack~ -to_death;"
          "hacker+; ransomware; malware; ddos; cyberespionage; cyber-espionage", 0.85),
        E("COERCE/censor", "censorship",
          "censor~; censorship; block~/restrict~/shut~/cut~ ... internet/websites/website/"
          "social_media/news_sites/platforms/broadcasts/broadcaster+/newspaper+/"
          "online; internet shutdown+/blackout+; jam~ ... broadcasts/"
          "signals; shut~ down ... newspaper+/broadcaster+/channel+/station+/websites; "
          "suspend~/halt~/stop~ publication/broadcast+/broadcasting",
          0.85),
        E("COERCE/deport", "deportation",
          "deport~; deportation+; expel~/kick~ ... migrants/refugees/journalists/"
          "foreigners/workers/nationals/citizens/aid_workers/activists/correspondent+;"
          "expel~; expulsion+", 0.8),
        E("COERCE/arrest", "arrest",
          "arrest~ -warrant+; arrest+ -warrant+; detain~; detention+; take~ into custody; "
          "round~ up; roundup+; apprehend~; nab~; imprison~; jailed*; jail~ ... activist+/"
          "journalist+/opposition/leader+/protester+/critics/dissidents; "
          "arrest warrant+; place~ ... under house_arrest; house arrest; "
          "crack~ down; crackdown+", 0.85),
        E("COERCE/seize", "seizure",
          "seize~ -control/power/the_initiative/the_opportunity/the_moment/on; seizure+;"
          "confiscate~; confiscation+; impound~; commandeer~; expropriate~; "
          "nationalize~; intercept~ ... ship+/vessel+/tanker+/boat+/cargo", 0.8),
        E("COERCE/restrict", "restriction",
          "ban~ -from_playing; ban+; outlaw~; prohibit~; bar~ ... from; "
          "restrict~ ... movement/access/travel/entry/exports/imports/freedom; "
          "impose~ ... restriction+/curb+/controls/limits/lockdown+/blockade+/quarantine+/"
          "ban+; dissolve~ ... party/parties/parliament/assembly/organization+/group+/ngo+;"
          "suspend~ ... constitution/parliament/newspaper+/party/parties/licence+/license+/"
          "operations_of; close~/shut~ ... border+/crossing+/airspace/ngo+/offices/office/"
          "schools/mosques/churches/universities; blockade+; evict~; eviction+; "
          "demolish~; demolition+; bulldoze~; raze~; persecute~; persecution; repress~; "
          "repression; harass~; harassment; intimidate~; intimidation; "
          "withhold~", 0.7),
        E("COERCE/misinformation", "misinformation",
          "disinformation; misinformation; propaganda campaign+", 0.6),
        # --- ASSAULT -----------------------------------------------------------------------
        E("ASSAULT/suicide-attack", "suicide_bombing",
          "suicide bomber+/bombing+/attack+/blast+/car_bomb+/vest+/attacker+; "
          "blow~ ... himself/herself/themselves up", 0.95),
        E("ASSAULT/unconventional", "chemical_attack",
          "chemical/gas/nerve_agent/poison_gas/biological attack+/weapons_attack+; "
          "poison~", 0.85, unless="food poisoning"),
        E("ASSAULT/aerial", "airstrike",
          "air strike+/raid+/attack+/assault+/bombardment+; airstrike+; air-strike+; "
          "airraid+; warplanes/jets/aircraft/helicopters/gunships/bombers ... "
          "struck/strike/strikes/hit/hits/bombed/bomb/bombs/attacked/attack/pounded/pound/"
          "targeted/target/raided/killed/kill", 0.9, verbal=True),
        E("ASSAULT/drone", "drone_strike",
          "drone strike+/attack+/raid+; drones ... struck/strike/hit/hits/attacked/attack/"
          "targeted/bombed/killed/pounded/slammed", 0.9, verbal=True),
        E("ASSAULT/heavy-weapons", "shelling",
          "shell~ -out/company/companies/firm/corporation; shelling+; "
          "artillery/mortar/tank fire/shell+/strike+/barrage+/attack+/round+; "
          "mortar+ ... fired/hit/struck/landed; bombard~; bombardment+; pound~", 0.9),
        E("ASSAULT/explosives", "bombing",
          "bomb~ -threat+/scare+; bomb+ -threat+/scare+/disposal/squad; bombing+; "
          "car/truck/roadside bomb+; ied+; explosive+ device+; blast+ -furnace; "
          "explosion+; explode~; detonate~; bomber+",
          0.85, unless="disaster,nuclear"),
        E("ASSAULT/targeted", "assassination",
          "assassinate~; assassination+; assassin+; gun~ down; shot* dead", 0.9),
        E("ASSAULT/abduct", "abduction",
          "kidnap~; kidnapping+; kidnapper+; abduct~; abduction+; hijack~; "
          "take~ ... hostage/hostages/captive", 0.9),
        E("ASSAULT/torture", "torture", "torture~; torture", 0.9),
        E("ASSAULT/sexual", "sexual_violence",
          "rape~; sexual violence/assault+/abuse; sexually assault~/abuse~", 0.85),
        E("ASSAULT", "atrocity",
          "ethnic cleansing; genocide; atrocity; atrocities; war crime+; crimes against "
          "humanity", 0.85),
        E("ASSAULT/beat", "beating", "beat~ ... up; beaten*; beating+; lynch~; flog~", 0.7),
        E("ASSAULT/crowd-control", "crowd_control",
          "tear gas; teargas; rubber bullets; water cannon+; stun grenade+", 0.85),
        E("ASSAULT/primitive", "stabbing", "stab~; machete+; hack~ to death", 0.8),
        E("ASSAULT/firearms", "shooting",
          "open~ fire; gunfire; gunmen; gunman; shoot~ -down/up; shot* -down; "
          "shooting+ -star; gunfight+; firefight+; exchange+ of fire; sniper+",
          0.85, unless="disaster,basketball,film"),
        E("ASSAULT/firearms", "armed_clash",
          "clash~; clash+; fight~ -corruption/poverty/crime/inflation/fires/wildfires/"
          "blaze+/disease/cancer/climate/the_virus/covid/against_corruption/for; "
          "fighting; battle~ -for; battle+ -of_the/cry; skirmish~; skirmish+; "
          "ambush~; ambush+; engage~ ... in combat", 0.85),
        E("ASSAULT/destroy", "destruction",
          "destruction; set~ fire to/on; torch~; burn~; loot~; blow~ up", 0.65),
        # air defences destroying drones shoot down an attack, they do not make one
        E("ASSAULT/destroy", "destruction", "destroy~", 0.65,
          not_after=r"(?:\d[\d,]*|all|several|dozens|the incoming|incoming|most)\s+(?:of\s+"
          r"(?:the\s+)?)?(?:\w+\s+)?(?:drones?|missiles?|rockets?|projectiles?|shaheds?)"),
        E("ASSAULT", "invasion",
          "invade~; invasion+; incursion+; storm~ -out; overrun*; "
          "capture~/seize~/take~ ... control/town/city/village/villages/territory/area/"
          "airport/base/positions/capital/region; offensive+; counteroffensive+;"
          "counter-offensive+; occupy~", 0.8),
        E("ASSAULT", "attack",
          "strike~ -a_deal/an_agreement/a_balance/a_chord/a_note/a_tone/a_compromise/out; "
          "strike+; hit~ -record/high/low/the_market/shelves/back/hard; "
          "target~ ... with; wound~; injure~; shoot~",
          0.75, needs="weapon", unless="disaster"),
        E("ASSAULT", "attack",
          "attack~ -on_the_goal; attack+ -dog; assault~ -rifle+; assault+ -rifle+; "
          "raid~; raid+", 0.75, unless="disaster"),
        E("ASSAULT", "killing",
          "kill~; killing+; massacre~; massacre+; slay~; slain*; murder~; murder+; "
          "execute~ -order+/plan+/strategy; execution+", 0.7, unless="disaster"),
    )
    for entry in group
)  # fmt: skip


def index(lexicon: Iterable[tuple[dict[str, Tag], Entry]]) -> dict[str, list[tuple[Entry, Tag]]]:
    """Head form -> the entries it may start, those needing more words first, in lexicon order."""
    out: dict[str, list[tuple[Entry, Tag]]] = {}
    for heads, entry in lexicon:
        for form, tag in heads.items():
            out.setdefault(form.lower(), []).append((entry, tag))
    for entries in out.values():
        entries.sort(key=lambda et: not et[0].specific)  # stable: lexicon order otherwise
    return out


HEADS = index(LEXICON)
