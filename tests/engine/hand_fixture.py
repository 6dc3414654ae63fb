"""A hand-made register set of a few dozen persons whose every figure is worked out by hand in test_hand_fixture.py.

Two municipalities: A = 851 Aalborg (region 081) and B = 101 København (region 084). Residence on 1 January 2022
and 2023, so the data cover 2022-2023 (coverage = residence years). Person numbers tell the role:
  1-22    adults: employment (1.x), education (2.2/2.3), public support (7.x), living on 1 January 2023
  101-107 pupils: 9th-grade exams June 2022 (2.1/3.1), resident 1 January 2022 (also in 9.1's population)
  201-204 young adults: convictions (9.1), resident 1 January 2022
  301-307 Danish-course participants (3.3/N15), no residence rows
  401-410 displaced Ukrainians, 501-511 refugees and family-reunified (key figures, dates in 2022)

Address spells (``ADDRESSES``) are given for the permit holders, whom the key figures place by the spell covering
the figure's date; several move during 2022 (401, 402, 406, 408, 501, 506, 509). The residence table lists only
the persons each indicator needs on 1 January, so holders living on into 2023 have no 1 January 2023 row (the
engine never compares the two tables; the synthetic registers keep them consistent).
"""

from __future__ import annotations

from datetime import date as D
from pathlib import Path
from typing import Any

from barometer.registers.contract import CONTRACT
from barometer.registers.fixtures import write_register_set
from barometer.registers.manifest import write_manifest

A, B = "851", "101"
N = None

PERSONS = [  # pnr, birth_date, sex, origin_type, origin_country, immigration_date, death_date
    (1, D(1980, 5, 1), "M", "dansk", "DK", N, N),
    (2, D(1990, 2, 1), "K", "dansk", "DK", N, N),
    (3, D(1998, 1, 1), "M", "dansk", "DK", N, N),         # 25 exactly on 1 Jan 2023: in 1.x
    (4, D(1998, 1, 2), "K", "dansk", "DK", N, N),         # 24 on 1 Jan 2023: not in 1.x
    (5, D(1985, 3, 3), "M", "indvandrer", "SY", D(2015, 9, 1), N),   # moves A (2022) -> B (2023)
    (6, D(1990, 6, 6), "K", "efterkommer", "TR", N, N),
    (7, D(1958, 1, 1), "M", "indvandrer", "IQ", D(1990, 1, 1), N),   # 65 on 1 Jan 2023: out of 1.x, in 7.x
    (8, D(1958, 1, 2), "K", "indvandrer", "SO", D(1990, 1, 1), N),   # 64: in 1.x
    (9, D(1980, 1, 1), "M", "indvandrer", "AF", D(2010, 1, 1), D(2022, 12, 15)),  # dies Dec 2022
    (10, D(1980, 1, 1), "M", "indvandrer", "DE", D(2005, 1, 1), N),  # Western: in no group
    (11, D(1975, 1, 1), "M", "indvandrer", "PK", D(2000, 1, 1), N),  # emigrates Oct 2022
    (12, D(1970, 3, 3), "K", "dansk", "DK", N, N),
    (13, D(1960, 7, 7), "M", "dansk", "DK", N, N),
    (14, D(2000, 5, 5), "K", "efterkommer", "LB", N, N),
    (15, D(2001, 1, 1), "M", "indvandrer", "SY", D(2008, 6, 1), N),  # arrived aged 7
    (16, D(2000, 3, 3), "K", "indvandrer", "IR", D(2014, 1, 1), N),  # arrived aged 13: not "0-12"
    (17, D(2003, 1, 1), "M", "efterkommer", "TR", N, N),  # 20 on 1 Jan 2023
    (18, D(2003, 1, 2), "K", "efterkommer", "TR", N, N),  # 19 on 1 Jan 2023
    (19, D(1995, 5, 5), "M", "indvandrer", "SO", D(2000, 1, 1), N),  # arrived aged 4
    (20, D(1983, 12, 31), "K", "efterkommer", "PK", N, N),  # 39 on 1 Jan 2023
    (21, D(1956, 1, 1), "M", "indvandrer", "IQ", D(1990, 1, 1), N),  # 67: out of 7.x
    (22, D(2007, 1, 1), "K", "indvandrer", "SO", D(2020, 1, 1), N),  # 16 on 1 Jan 2023: in 7.x
    (101, D(2006, 3, 3), "M", "efterkommer", "TR", N, N),
    (102, D(2006, 5, 5), "K", "indvandrer", "SY", D(2012, 1, 1), N),  # arrived aged 5
    (103, D(2006, 1, 1), "M", "indvandrer", "IQ", D(2019, 1, 1), N),  # arrived aged 13
    (104, D(2006, 2, 2), "M", "indvandrer", "SO", D(2010, 1, 1), N),  # arrived aged 3
    (105, D(2006, 4, 4), "K", "dansk", "DK", N, N),
    (106, D(2006, 6, 6), "K", "efterkommer", "PK", N, N),
    (107, D(2006, 7, 7), "K", "indvandrer", "AF", D(2019, 7, 6), N),  # arrived one day before turning 13
    (201, D(2000, 1, 1), "M", "indvandrer", "SO", D(2005, 1, 1), N),
    (202, D(1992, 1, 1), "M", "efterkommer", "LB", N, N),  # 30 on 1 Jan 2022: not in 9.1
    (203, D(1992, 1, 2), "K", "efterkommer", "LB", N, N),  # 29 on 1 Jan 2022: in 9.1
    (204, D(1998, 1, 1), "M", "indvandrer", "IQ", D(2010, 1, 1), N),
    (301, D(1990, 1, 1), "K", "indvandrer", "SY", D(2016, 1, 1), N),
    (302, D(1988, 1, 1), "M", "indvandrer", "ER", D(2016, 1, 1), N),
    (303, D(1987, 1, 1), "K", "indvandrer", "AF", D(2015, 6, 1), N),
    (304, D(1986, 1, 1), "M", "indvandrer", "IQ", D(2016, 6, 1), N),
    (305, D(1990, 1, 1), "K", "indvandrer", "SY", D(2017, 6, 1), N),
    (306, D(1991, 1, 1), "M", "indvandrer", "ER", D(2018, 6, 1), N),
    (307, D(1985, 1, 1), "M", "indvandrer", "SO", D(2017, 1, 1), N),
    (401, D(1985, 1, 1), "K", "indvandrer", "UA", D(2022, 4, 1), N),
    (402, D(1990, 1, 1), "K", "indvandrer", "UA", D(2022, 4, 25), N),
    (403, D(1980, 1, 1), "M", "indvandrer", "UA", D(2022, 9, 10), N),
    (404, D(1970, 1, 1), "K", "indvandrer", "UA", D(2022, 3, 18), N),
    (405, D(1975, 1, 1), "M", "indvandrer", "UA", D(2022, 3, 20), N),
    (406, D(1960, 1, 1), "K", "indvandrer", "UA", D(2022, 4, 1), D(2022, 8, 1)),
    (407, D(2015, 1, 1), "M", "indvandrer", "UA", D(2022, 5, 1), N),
    (408, D(2021, 1, 1), "K", "indvandrer", "UA", D(2022, 5, 1), N),
    (410, D(2012, 1, 1), "K", "indvandrer", "UA", D(2022, 10, 1), N),
    (501, D(1990, 1, 1), "M", "indvandrer", "SY", D(2022, 1, 20), N),
    (502, D(1991, 1, 1), "M", "indvandrer", "SY", D(2022, 10, 1), N),
    (503, D(1989, 1, 1), "K", "indvandrer", "ER", D(2021, 12, 1), N),
    (504, D(1992, 5, 5), "K", "indvandrer", "ER", D(2022, 2, 25), N),
    (505, D(1980, 1, 1), "M", "indvandrer", "AF", D(2016, 4, 1), N),
    (506, D(1990, 1, 1), "K", "indvandrer", "SY", D(2016, 2, 15), N),   # came 2016 on another basis
    (507, D(2008, 1, 1), "M", "indvandrer", "SY", D(2020, 1, 1), N),
    (508, D(1985, 1, 1), "K", "indvandrer", "AF", D(2021, 6, 1), N),
    (509, D(2000, 6, 6), "M", "indvandrer", "ER", D(2018, 9, 1), N),    # refugee permit only from 2020
    (510, D(1999, 9, 9), "M", "indvandrer", "SY", D(2019, 3, 1), N),
    (511, D(1995, 1, 1), "M", "indvandrer", "SY", D(2022, 7, 7), N),
]

RESIDENCE = (
    # 1 January 2023: the population of year-2022 end-of-year figures (1.x, 2.2, 2.3, 7.x) and of 9.1 2023
    [(p, 2023, A) for p in (1, 2, 4, 6, 7, 8, 10, 13, 14, 15, 16, 20, 21)]
    + [(p, 2023, B) for p in (3, 5, 12, 17, 18, 19, 22)]
    # 1 January 2022: pupils, young adults and refugees (2.1, 3.1, 9.1 2022, key-figure dates in 2022)
    + [(p, 2022, A) for p in (5, 9, 101, 102, 103, 107, 202, 203, 204, 505, 508, 509)]
    + [(p, 2022, B) for p in (11, 104, 105, 106, 201, 506, 507, 510)]
)

EMPLOYMENT = [  # status at the end of November 2022
    (1, 2022, "employee"), (3, 2022, "self_employed"), (4, 2022, "employee"), (5, 2022, "employee"),
    (6, 2022, "unemployed"), (7, 2022, "employee"), (8, 2022, "employee"), (9, 2022, "employee"),
    (10, 2022, "employee"), (12, 2022, "employee"), (13, 2022, "employee"), (20, 2022, "employee"),
]

EDUCATION = [  # 1 October 2022: level (any country), danish_level
    (14, 2022, "H30", "H30"), (15, 2022, "H20", N), (16, 2022, "H20", "H20"), (17, 2022, "H20", "H20"),
    (18, 2022, "H20", "H20"), (6, 2022, "H60", "H60"), (19, 2022, "H30", "H30"), (20, 2022, "H70", "H70"),
]

GRADES = [  # June 2022
    (101, 2022, "dansk_skriftlig", 4), (101, 2022, "matematik_med_hjaelpemidler", 2),
    (102, 2022, "dansk_skriftlig", 2), (102, 2022, "matematik_med_hjaelpemidler", 0),
    (102, 2022, "dansk_mundtlig", 7), (102, 2022, "dansk_retskrivning", 4),
    (103, 2022, "dansk_skriftlig", 12), (103, 2022, "matematik_med_hjaelpemidler", 12),
    (103, 2022, "dansk_mundtlig", 12), (103, 2022, "dansk_retskrivning", 12),
    (104, 2022, "dansk_skriftlig", 7), (104, 2022, "matematik_med_hjaelpemidler", 7),
    (104, 2022, "dansk_mundtlig", 2), (104, 2022, "dansk_retskrivning", -3),
    (105, 2022, "dansk_skriftlig", 10), (105, 2022, "matematik_med_hjaelpemidler", 10),
    (106, 2022, "dansk_skriftlig", 10),
    (107, 2022, "dansk_skriftlig", 0), (107, 2022, "matematik_med_hjaelpemidler", 4),
    (107, 2022, "dansk_mundtlig", 12), (107, 2022, "dansk_retskrivning", 2),
]

BENEFITS = [  # pnr, benefit, start, end, hours/week
    (7, "disability_pension", D(2021, 12, 27), D(2023, 1, 1), 37.0),      # all of 2022
    (6, "unemployment_benefit", D(2022, 1, 3), D(2022, 7, 3), 37.0),      # 182 days
    (6, "activation", D(2022, 4, 4), D(2022, 5, 1), 20.0),                # overlaps: capped at 37
    (8, "sickness_benefit", D(2022, 3, 7), D(2022, 4, 3), 18.5),          # 28 days at half time
    (14, "student_grant", D(2022, 1, 1), D(2022, 12, 31), 37.0),          # SU: excluded by default
    (22, "cash_benefit", D(2022, 7, 4), D(2022, 12, 31), 37.0),           # 181 days
    (2, "maternity_benefit", D(2022, 1, 1), D(2022, 12, 31), 37.0),       # all of 2022 ...
    (2, "flexjob", D(2022, 6, 6), D(2022, 6, 19), 10.0),                  # ... plus 10 h: capped
    (21, "disability_pension", D(2022, 1, 1), D(2022, 12, 31), 37.0),     # aged 67: not in 7.x
    (5, "integration_benefit", D(2021, 11, 1), D(2022, 1, 30), 37.0),     # 30 days of 2022
    (9, "cash_benefit", D(2022, 1, 3), D(2022, 12, 11), 37.0),            # died: not in the population
    (402, "self_support_return_benefit", D(2022, 5, 2), D(2022, 12, 25), 37.0),
    (405, "self_support_return_benefit", D(2022, 8, 29), D(2022, 9, 4), 37.0),
]

CONVICTIONS = [  # pnr, decision, offence, law
    (201, D(2022, 3, 1), D(2021, 12, 1), "straffeloven"),
    (202, D(2022, 4, 1), N, "straffeloven"),      # aged 30: outside 15-29
    (203, D(2022, 5, 1), N, "faerdselsloven"),    # not the criminal code
    (204, D(2023, 1, 15), D(2022, 12, 1), "straffeloven"),  # decided in 2023
    (101, D(2022, 6, 1), N, "straffeloven"),
    (509, D(2022, 5, 5), N, "straffeloven"),
]

DANISH_COURSES = [  # pnr, start, end, course, programme, municipality
    (301, D(2017, 3, 1), N, "DU2", True, A),
    (302, D(2017, 3, 1), N, "DU2", True, A),
    (303, D(2016, 1, 1), D(2016, 12, 31), "DU1", False, A),   # not under the programme: ignored
    (303, D(2017, 6, 1), N, "DU1", True, B),
    (304, D(2017, 9, 1), N, "DU2", True, B),
    (304, D(2019, 1, 1), N, "DU3", True, A),                 # a later course: the first start counts
    (305, D(2018, 2, 1), N, "DU2", True, A),
    (306, D(2019, 1, 1), N, "DU2", True, A),                 # cohort 2019 -> 2024: beyond the data
    (307, D(2018, 5, 5), N, "DU2", True, B),
    (401, D(2022, 5, 1), N, "DU3", False, A),
    (405, D(2022, 7, 1), N, "DU2", False, A),
    (406, D(2022, 3, 1), D(2022, 4, 15), "DU2", False, B),
    (501, D(2022, 3, 1), N, "DU2", True, A),
    (506, D(2019, 4, 1), D(2021, 12, 31), "DU2", True, B),
    (508, D(2022, 6, 1), N, "DU2", True, A),
]

DANISH_TESTS = [
    (301, "PD2", D(2022, 2, 28)),     # one day inside 5 years
    (302, "PD3", D(2022, 3, 1)),      # exactly 5 years: not "within"
    (303, "PD1", D(2017, 1, 1)),      # before the programme start: does not count
    (304, "studieproeve", D(2020, 5, 5)),
    (305, "PD2", D(2019, 6, 1)),
]

PERMITS = [  # pnr, type, start, end
    (401, "ukraine", D(2022, 4, 1), D(2025, 3, 16)),
    (402, "ukraine", D(2022, 4, 20), N),
    (403, "ukraine", D(2022, 9, 10), N),
    (404, "ukraine", D(2022, 3, 20), N),
    (405, "ukraine", D(2022, 3, 20), D(2022, 8, 31)),
    (406, "ukraine", D(2022, 4, 1), N),
    (407, "ukraine", D(2022, 5, 1), N),
    (408, "ukraine", D(2022, 5, 1), N),
    (410, "ukraine", D(2022, 10, 1), N),
    (501, "refugee", D(2022, 1, 15), N),
    (502, "refugee", D(2022, 9, 1), N),
    (503, "refugee", D(2021, 11, 1), N),
    (504, "family_refugee", D(2022, 2, 20), N),
    (505, "refugee", D(2016, 5, 1), N),
    (506, "other", D(2016, 2, 15), D(2019, 2, 28)),
    (506, "family_refugee", D(2019, 3, 1), N),
    (507, "family_refugee", D(2020, 1, 1), N),
    (508, "refugee", D(2021, 6, 1), N),
    (509, "other", D(2018, 9, 1), D(2020, 1, 19)),
    (509, "refugee", D(2020, 1, 20), N),
    (510, "family_refugee", D(2019, 2, 1), N),
    (511, "refugee", D(2022, 7, 1), N),
    (305, "refugee", D(2017, 6, 1), N),
    (307, "refugee", D(2017, 1, 1), N),
]

VISITATIONS = [  # pnr, date, municipality, permit type
    (401, D(2022, 4, 10), A, "ukraine"), (402, D(2022, 5, 1), B, "ukraine"), (403, D(2022, 9, 15), A, "ukraine"),
    (501, D(2022, 2, 1), A, "refugee"), (502, D(2022, 10, 5), B, "refugee"),
    (503, D(2021, 12, 31), A, "refugee"), (504, D(2022, 3, 3), B, "family_refugee"),
]

PROGRAMME_STATUS = [  # pnr, month, municipality, benefit_recipient, job_ready, company_directed_activation
    (501, D(2022, 5, 1), A, True, True, False),
    (508, D(2022, 6, 1), A, False, N, False),
    (501, D(2022, 9, 1), A, True, True, False),
    (506, D(2022, 9, 1), B, True, N, True),
    (507, D(2022, 9, 1), B, True, True, True),     # aged 14: outside 16-64
    (508, D(2022, 9, 1), A, False, True, True),    # no benefit: outside the population
    (305, D(2018, 3, 1), A, True, N, False),
    (307, D(2018, 6, 1), B, True, N, False),
]

IGU = [(505, D(2017, 1, 2), D(2019, 1, 1), A), (506, D(2022, 9, 30), N, B), (501, D(2022, 10, 1), N, A)]

REPATRIATIONS = [(508, D(2022, 9, 15), A, "AF"), (506, D(2022, 10, 1), B, "SY")]

MIGRATIONS = [  # pnr, date, direction, country, municipality
    (11, D(2022, 10, 1), "emigration", "PK", B),
    (401, D(2022, 4, 1), "immigration", "UA", A),
    (402, D(2022, 4, 25), "immigration", "UA", B),
    (403, D(2022, 9, 10), "immigration", "UA", A),
    (404, D(2022, 3, 18), "immigration", "UA", A),
    (404, D(2022, 6, 30), "emigration", "UA", A),
    (405, D(2022, 3, 20), "immigration", "UA", A),
    (406, D(2022, 4, 1), "immigration", "UA", B),
    (407, D(2022, 5, 1), "immigration", "UA", A),
    (408, D(2022, 5, 1), "immigration", "UA", B),
    (410, D(2022, 10, 1), "immigration", "UA", B),
    (501, D(2022, 1, 20), "immigration", "SY", A),
    (502, D(2022, 10, 1), "immigration", "SY", B),
    (503, D(2021, 12, 1), "immigration", "ER", A),
    (504, D(2022, 2, 25), "immigration", "ER", B),
    (505, D(2022, 11, 11), "emigration", "AF", A),
    (511, D(2022, 7, 7), "immigration", "SY", N),
]

ENROLMENT = [(407, "school", D(2022, 8, 11), N, A), (408, "daycare", D(2022, 6, 1), D(2022, 10, 31), B),
             (410, "school", D(2022, 10, 15), N, B)]

ADDRESSES = [  # pnr, first day, last day, municipality (2022 unless said otherwise)
    (401, D(2022, 4, 1), D(2022, 8, 14), A), (401, D(2022, 8, 15), N, B),                  # moves A -> B
    (402, D(2022, 4, 25), D(2022, 5, 31), B), (402, D(2022, 6, 1), D(2022, 8, 19), A),     # in A for the summer
    (402, D(2022, 8, 20), N, B),
    (403, D(2022, 9, 10), N, A),
    (404, D(2022, 3, 18), D(2022, 6, 29), A),                                               # emigrates 30 Jun
    (405, D(2022, 3, 20), N, A),
    (406, D(2022, 4, 1), D(2022, 5, 9), B), (406, D(2022, 5, 10), D(2022, 7, 31), A),      # moves B -> A, dies
    (407, D(2022, 5, 1), N, A),
    (408, D(2022, 5, 1), D(2022, 10, 31), B), (408, D(2022, 11, 1), N, A),                 # moves B -> A
    (410, D(2022, 10, 1), N, B),
    (501, D(2022, 1, 20), D(2022, 6, 9), A), (501, D(2022, 6, 10), N, B),                  # moves A -> B
    (502, D(2022, 10, 1), N, B),
    (504, D(2022, 2, 25), N, B),
    (505, D(2016, 4, 1), D(2022, 11, 10), A),                                               # emigrates 11 Nov
    (506, D(2016, 2, 15), D(2022, 3, 31), B), (506, D(2022, 4, 1), D(2022, 7, 14), A),     # in A for a while,
    (506, D(2022, 7, 15), D(2022, 9, 30), B),                                               # repatriated 1 Oct
    (507, D(2020, 1, 1), N, B),
    (508, D(2021, 6, 1), D(2022, 9, 14), A),                                                # repatriated 15 Sep
    (509, D(2018, 9, 1), D(2022, 2, 28), A), (509, D(2022, 3, 1), N, B),                   # moves A -> B
    (510, D(2019, 3, 1), N, B),
    (511, D(2022, 7, 7), D(2022, 7, 31), N), (511, D(2022, 8, 1), N, A),                   # first without municipality
]
# 503 has a permit but no address: never resident in the key figures.

WAGE_EMPLOYMENT = [(401, D(2022, 8, 15), N), (405, D(2022, 4, 1), D(2022, 7, 31)),
                   (510, D(2022, 1, 1), D(2022, 4, 15))]

HOUSING = [  # year, area id, name, municipality, category
    (2022, "a1", "Område A1", A, "udsat"), (2022, "a2", "Område A2", A, "udsat"),
    (2022, "a2", "Område A2", A, "parallelsamfund"), (2022, "b1", "Område B1", B, "udsat"),
    (2022, "b1", "Område B1", B, "parallelsamfund"), (2022, "b1", "Område B1", B, "omdannelsesomraade"),
    (2023, "a1", "Område A1", A, "udsat"),
]

RESPONDENTS = [  # id, year, weight, group, age, sex
    (1, 2022, 1.5, "indvandrer", 40, "M"), (2, 2022, 0.5, "indvandrer", 25, "K"),
    (3, 2022, 2.0, "efterkommer", 20, "K"), (4, 2022, 1.0, "dansk", 30, "M"),
    (5, 2022, 1.0, "efterkommer", 31, "M"),
]

ANSWERS = [  # id, year, question, answer
    (1, 2022, "danish_problems", 1), (1, 2022, "recognition", 2), (1, 2022, "association_member", 1),
    (1, 2022, "politically_active", 2), (1, 2022, "discrimination", 1),
    (2, 2022, "danish_problems", 3), (2, 2022, "recognition", 4), (2, 2022, "association_member", 2),
    (2, 2022, "politically_active", 1), (2, 2022, "discrimination", 2), (2, 2022, "restricted_partner", 1),
    (2, 2022, "restricted_education_friends", 2), (2, 2022, "gender_equality", 1),
    (3, 2022, "recognition", 1), (3, 2022, "association_member", 2), (3, 2022, "politically_active", 9),
    (3, 2022, "discrimination", 2), (3, 2022, "restricted_partner", 2),
    (3, 2022, "restricted_education_friends", 1), (3, 2022, "gender_equality", 4),
    (4, 2022, "discrimination", 1), (4, 2022, "association_member", 1),
    (5, 2022, "discrimination", 9), (5, 2022, "restricted_partner", 1),
]

TABLES = {
    "persons": PERSONS, "residence": RESIDENCE, "employment": EMPLOYMENT, "education": EDUCATION,
    "grades": GRADES, "danish_courses": DANISH_COURSES, "danish_tests": DANISH_TESTS, "benefits": BENEFITS,
    "convictions": CONVICTIONS, "permits": PERMITS, "visitations": VISITATIONS,
    "programme_status": PROGRAMME_STATUS, "igu_courses": IGU, "repatriations": REPATRIATIONS,
    "migrations": MIGRATIONS, "enrolment": ENROLMENT, "addresses": ADDRESSES, "housing_areas": HOUSING,
    "survey_respondents": RESPONDENTS, "survey_answers": ANSWERS, "wage_employment": WAGE_EMPLOYMENT,
}


def rows() -> dict[str, list[dict[str, Any]]]:
    """The fixture as dict rows keyed by the contract's column names (read from the contract, not copied)."""
    return {name: [dict(zip(CONTRACT.table(name).column_names, r, strict=True)) for r in table]
            for name, table in TABLES.items()}


COVERED_TO = "2023-12-31"
"""Every register of the fixture is an extract to the end of 2023. With a few rows per table the data alone
cannot tell (the last conviction is in 2022), so the manifest records it (barometer.engine.coverage)."""


def write(root: Path, rows_by_table: dict[str, list[dict[str, Any]]] | None = None,
          covered_to: dict[str, str] | None = None) -> Path:
    """Write the fixture (or ``rows_by_table``) with a manifest that records each table's coverage."""
    write_register_set(root, rows() if rows_by_table is None else rows_by_table, manifest=False)
    coverage = {name: COVERED_TO for name in TABLES} | (covered_to or {})
    write_manifest(root, generator="tests.engine.hand_fixture", extra={"coverage": coverage}, synthetic=True)
    return root
