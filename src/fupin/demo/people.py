"""The persons of a township: ages and relations within the household, names, ID numbers, schooling, health,
labour and migrant work, each drawn for all members at once and shaped after a rural county's registers.

Households are contiguous runs of members (`t.starts`, `t.sizes`), the head first; `t.hh` maps each member to
its household. The arrays stay on the Township for the household, income and history draws that follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fupin.registry import codes

from .arrays import ascii_constant, ascii_digits, ascii_text, pick, with_check_char, ymd
from .names import (
    FEMALE_GIVEN,
    FEMALE_SINGLES,
    MALE_GIVEN,
    MALE_SINGLES,
    SURNAME_CHARS,
    SURNAME_P,
    WORK_PLACES,
)

if TYPE_CHECKING:
    from .township import Township

R = codes.Relation
RELATIONS = np.array([R.HEAD, R.SPOUSE, R.CHILD, R.CHILD_IN_LAW, R.GRANDCHILD, R.PARENT])
HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT = range(6)
H = codes.Health
HEALTHY, CHRONIC, SERIOUS, DISABLED = range(4)
HEALTHS = np.array([H.HEALTHY, H.CHRONIC, H.SERIOUS, H.DISABLED])
L = codes.LabourCapacity
ORDINARY_LABOUR, SKILLED, LOST, NO_LABOUR, WEAK = range(5)
LABOURS = np.array([L.ORDINARY, L.SKILLED, L.LOST, L.NONE, L.WEAK])
SS = codes.SchoolStatus
SCHOOL_STATUSES = np.array(
    [SS.NOT_STUDENT, SS.PRESCHOOL, SS.PRIMARY, SS.JUNIOR, SS.SENIOR, SS.VOCATIONAL, SS.HIGHER, SS.OUT_OF_SCHOOL]
)
NOT_STUDENT, PRESCHOOL, PRIMARY, JUNIOR, SENIOR, VOCATIONAL, HIGHER, OUT_OF_SCHOOL = range(8)
E = codes.Education
EDUCATIONS = np.array([E.ILLITERATE, E.PRIMARY, E.JUNIOR, E.SENIOR, E.COLLEGE, E.PRESCHOOL])
#: highest education of adults (illiterate, primary, junior, senior, college) by age band, older cohorts lower
EDUCATION_BY_AGE = (
    (16, [0.01, 0.06, 0.50, 0.25, 0.18]),
    (30, [0.02, 0.15, 0.60, 0.15, 0.08]),
    (45, [0.05, 0.35, 0.48, 0.10, 0.02]),
    (60, [0.20, 0.50, 0.25, 0.05, 0.00]),
    (75, [0.50, 0.40, 0.09, 0.01, 0.00]),
)
ETHNICITIES = np.array([codes.Ethnicity.HAN, codes.Ethnicity.HUI, codes.Ethnicity.MONGOL, codes.Ethnicity.OTHER])
ETHNICITY_P = [0.990, 0.005, 0.002, 0.003]
#: disability category 1..7 (视力 听力 言语 肢体 智力 精神 多重) and level 1..4 shares
DISABILITY_CATEGORY_P = [0.14, 0.20, 0.02, 0.40, 0.08, 0.08, 0.08]
DISABILITY_LEVEL_P = [0.12, 0.20, 0.30, 0.38]


def draw(t: Township) -> None:
    """Every member of the township's households (drawn by `households.draw_households` before)."""
    rng, n, sizes = t.rng, t.n, t.sizes
    hh = np.repeat(np.arange(n), sizes)
    t.hh, t.p = hh, len(hh)
    slot = np.arange(t.p) - t.starts[hh]

    head_age = np.where(sizes == 1, 40 + 50 * rng.beta(2.0, 1.6, n), 24 + 62 * rng.beta(2.2, 2.3, n))
    has_spouse = (sizes >= 2) & (rng.random(n) < 0.86)
    others = sizes - 1 - has_spouse
    parents = np.where(
        head_age < 50,
        (rng.random(n) < 0.35).astype(int) + (rng.random(n) < 0.15),
        np.where(head_age < 58, (rng.random(n) < 0.2).astype(int), 0),
    )
    parents = np.minimum(parents, np.maximum(others - (head_age >= 45), 0))
    descendants = others - parents
    three_generations = head_age >= 58

    k = slot - 1 - has_spouse[hh]  # position among the members who are neither head nor spouse
    relation = np.full(t.p, CHILD, np.int8)
    relation[(k == 1) & three_generations[hh] & (descendants[hh] >= 3)] = CHILD_IN_LAW
    relation[(k >= 2) & three_generations[hh] & (descendants[hh] >= 3)] = GRANDCHILD
    relation[k >= descendants[hh]] = PARENT
    relation[(slot == 1) & has_spouse[hh]] = SPOUSE
    relation[slot == 0] = HEAD
    t.relation = relation

    a = head_age[hh]
    u = rng.random(t.p)
    male_head = rng.random(n) < np.where(sizes == 1, 0.6, 0.85)
    age = np.select(
        [relation == HEAD, relation == SPOUSE, relation == PARENT, relation == GRANDCHILD],
        [
            a,
            np.clip(a + rng.normal(np.where(male_head[hh], -2, 2), 3), 20, 99),
            np.minimum(a + 21 + 12 * u, 99),
            np.maximum(a - 80, 0) + u * (np.maximum(a - 42, 0.5) - np.maximum(a - 80, 0)),
        ],
        default=np.maximum(a - 40, 0) + u * (np.maximum(a - 20, 0.5) - np.maximum(a - 40, 0)),
    )
    age = np.where(relation == CHILD_IN_LAW, np.maximum(age, 18.5), age)
    t.birth = t.as_of - np.rint(age * 365.2425).astype(np.int64) - 1
    year, month, day = ymd(t.birth)  # completed years on the as-of date, as Member.age_on counts them
    before_birthday = (month > t.as_of_month) | ((month == t.as_of_month) & (day > t.as_of_day))
    t.age = t.as_of_year - year - before_birthday

    male = np.select(
        [relation == HEAD, relation == SPOUSE, relation == CHILD_IN_LAW, relation == PARENT],
        [male_head[hh], ~male_head[hh], rng.random(t.p) < 0.2, rng.random(t.p) < 0.45],
        default=rng.random(t.p) < 0.52,
    )
    t.male = male
    _person_names(t, male, relation, male_head)
    _id_numbers(t)

    ethnicity = rng.choice(len(ETHNICITIES), size=n, p=ETHNICITY_P)
    t.ethnicity = ETHNICITIES[ethnicity[hh]]
    _schooling(t)
    _health_and_labour(t)


def _person_names(t: Township, male, relation, male_head):
    rng, hh = t.rng, t.hh
    surname = rng.choice(len(SURNAME_CHARS), size=t.p, p=SURNAME_P)
    # children take the father's surname: the head's if he is a man, else the spouse's where there is one
    head_surname = surname[t.starts]
    spouse_index = np.minimum(t.starts + 1, t.p - 1)
    no_husband = male_head | (t.relation[spouse_index] != SPOUSE)
    father_surname = np.where(no_husband, head_surname, surname[spouse_index])
    paternal = (relation == CHILD) | (relation == GRANDCHILD) | ((relation == PARENT) & male)
    surname = np.where(paternal, father_surname[hh], surname)
    two = rng.random(t.p) < 0.75
    male_given = np.where(
        two,
        MALE_SINGLES + rng.integers(0, len(MALE_GIVEN) - MALE_SINGLES, t.p),
        rng.integers(0, MALE_SINGLES, t.p),
    )
    female_given = np.where(
        two,
        FEMALE_SINGLES + rng.integers(0, len(FEMALE_GIVEN) - FEMALE_SINGLES, t.p),
        rng.integers(0, FEMALE_SINGLES, t.p),
    )
    given = np.where(male, MALE_GIVEN[male_given], FEMALE_GIVEN[female_given])
    t.name = (SURNAME_CHARS[surname] + given).astype("U4")


def _id_numbers(t: Township):
    """Unique by construction: within a county, persons born the same day of the same sex get distinct
    slots of the 3-digit sequence (odd for men, even for women), interleaved between townships."""
    birth_day = t.birth.astype(np.int64)
    order = np.lexsort((t.male, birth_day))
    key = birth_day[order] * 2 + t.male[order]
    group_start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    rank_sorted = np.arange(t.p) - np.repeat(group_start, np.diff(np.r_[group_start, t.p]))
    rank = np.empty(t.p, np.int64)
    rank[order] = rank_sorted
    slot = rank * t.plan.townships_in_county + (t.plan.township_no - 1)
    if slot.size and slot.max() >= 499:
        raise ValueError("too many persons born on one day in one county for the 3-digit ID sequence")
    shifted = (slot + birth_day * 7919) % 499  # a different slot order on each birth date, still one-to-one
    sequence = 2 * t.sequence_order[shifted] + np.where(t.male, 1, 2)
    year, month, day = ymd(t.birth)
    first17 = np.hstack(
        [
            ascii_constant(t.plan.county_code[:6], t.p),
            ascii_digits(year * 10000 + month * 100 + day, 8),
            ascii_digits(sequence, 3),
        ]
    )
    t.id_ascii = with_check_char(first17)
    t.id_number = ascii_text(t.id_ascii)


def _schooling(t: Township):
    rng, age, p = t.rng, t.age, t.p
    u = rng.random(p)
    status = np.select(
        [
            (age >= 3) & (age <= 5),
            (age >= 6) & (age <= 11),
            (age >= 12) & (age <= 14),
            age == 15,
            (age >= 16) & (age <= 18),
            (age >= 19) & (age <= 22),
        ],
        [
            np.where(u < 0.85, PRESCHOOL, NOT_STUDENT),
            PRIMARY,
            JUNIOR,
            np.where(u < 0.5, JUNIOR, np.where(u < 0.85, SENIOR, VOCATIONAL)),
            np.where(u < 0.55, SENIOR, np.where(u < 0.8, VOCATIONAL, NOT_STUDENT)),
            np.where(u < 0.35, HIGHER, NOT_STUDENT),
        ],
        default=NOT_STUDENT,
    )
    compulsory = (age >= 6) & (age <= 15)
    status[compulsory & (rng.random(p) < 0.001)] = OUT_OF_SCHOOL
    t.school = status
    band = np.searchsorted([b for b, _ in EDUCATION_BY_AGE], age, side="right") - 1
    table = np.array([probs for _, probs in EDUCATION_BY_AGE])
    adult = pick(rng, table[np.maximum(band, 0)])
    in_school = np.select(
        [
            status == PRIMARY,
            status == JUNIOR,
            (status == SENIOR) | (status == VOCATIONAL),
            status == HIGHER,
            status == OUT_OF_SCHOOL,
        ],
        [1, 2, 3, 4, np.where(age >= 12, 2, 1)],
        default=adult,
    )
    t.education = np.where(age < 6, 5, np.where(status != NOT_STUDENT, in_school, adult))


def _health_and_labour(t: Township):
    rng, age, p = t.rng, t.age, t.p
    old = np.clip((age - 30) / 50, 0, 1)
    p_disabled, p_serious, p_chronic = 0.02 + 0.06 * old, 0.004 + 0.026 * old, 0.02 + 0.25 * old
    u = rng.random(p)
    health = np.select(
        [u < p_disabled, u < p_disabled + p_serious, u < p_disabled + p_serious + p_chronic],
        [DISABLED, SERIOUS, CHRONIC],
        default=HEALTHY,
    )
    t.health = health
    disabled = health == DISABLED
    t.disability_category = rng.choice(7, size=p, p=DISABILITY_CATEGORY_P) + 1
    t.disability_level = np.where(disabled, rng.choice(4, size=p, p=DISABILITY_LEVEL_P) + 1, 0)

    u = rng.random(p)
    working_age = np.select(
        [
            health == SERIOUS,
            (health == DISABLED) & (t.disability_level <= 2),
            health == DISABLED,
            health == CHRONIC,
        ],
        [
            np.where(u < 0.7, LOST, WEAK),
            LOST,
            np.where(u < 0.7, WEAK, ORDINARY_LABOUR),
            np.where(u < 0.6, WEAK, ORDINARY_LABOUR),
        ],
        default=np.where(u < 0.15, SKILLED, ORDINARY_LABOUR),
    )
    labour = np.select(
        [
            (age < 16) | (t.school != NOT_STUDENT),
            age >= 75,
            (age >= 65) & ((health == SERIOUS) | (health == DISABLED)),
            age >= 65,
            age >= 60,
        ],
        [
            NO_LABOUR,
            NO_LABOUR,
            LOST,
            np.where(u < 0.6, WEAK, np.where(u < 0.9, NO_LABOUR, ORDINARY_LABOUR)),
            np.where(working_age == SKILLED, ORDINARY_LABOUR, np.where(u < 0.45, WEAK, working_age)),
        ],
        default=working_age,
    )
    t.labour = labour
    can_work = np.isin(labour, (ORDINARY_LABOUR, SKILLED, WEAK)) & (age < 65)
    migrant = can_work & (rng.random(p) < np.where(labour == WEAK, 0.1, 0.5))
    t.work_months = np.where(migrant, rng.integers(3, 13, p), 0)
    place = rng.integers(0, len(WORK_PLACES), p)
    t.work_place = np.where(migrant, np.array(WORK_PLACES)[place], "")
    t.can_work = can_work


# registration: who was poor in 2014 and why ------------------------------------------------------------------


def rows(t: Township) -> dict:
    """The member rows; a disability certificate number is the ID number and the category and level."""
    disabled = t.health == DISABLED
    cert = ascii_text(np.hstack([t.id_ascii, ascii_digits(t.disability_category * 10 + t.disability_level, 2)]))
    level = t.disability_level.astype(float)
    level[~disabled] = np.nan
    t.member_id = t.ids.take("registry.Member", t.p)  # member events name their member
    return {
        "id": t.member_id,
        "household_id": t.household_id[t.hh],
        "name": t.name,
        "sex": np.where(t.male, codes.Sex.MALE, codes.Sex.FEMALE),
        "id_type": codes.IdType.RESIDENT,
        "id_number": t.id_number,
        "birth_date": t.birth,
        "relation": RELATIONS[t.relation],
        "ethnicity": t.ethnicity,
        "education": EDUCATIONS[t.education],
        "school_status": SCHOOL_STATUSES[t.school],
        "health": HEALTHS[t.health],
        "labour_capacity": LABOURS[t.labour],
        "work_place": t.work_place,
        "work_months": t.work_months,
        "public_job_months": t.public_job_months,
        "phone": t.phone,
        "basic_medical_insured": t.medical_insured,
        "serious_illness_insured": t.medical_insured,
        "pension_insured": t.pension_insured,
        "dibao": t.dibao,
        "tekun": t.tekun,
        "disability_cert": np.where(disabled, cert, ""),
        "disability_level": level,
        "joined_on": t.joined_on,  # from the member events (demo.member_events); NaT: since before the records
        "left_on": t.left_on,
        "created_at": t.now,
        "updated_at": t.now,
    }
