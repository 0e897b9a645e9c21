"""A labelled set for the similar actions: pairs of actions from different working
groups of the shipped paper that an editor would say make the same point, and
pairs that do not (close in words, different in point). References drop the
"SGH24-" prefix. The figures are in the README ("Similar actions")."""

SAME_POINT = [
    # Generative AI on Freedom of Information requests and social work case records
    ("P1-WG3-WW-03", "P2-WG3-WW-02"),
    ("P1-WG3-PS-01", "P2-WG3-WW-02"),
    ("P1-WG3-WW-03", "P2-WG1-WW-02"),
    ("P2-WG1-WW-02", "P2-WG3-WW-02"),
    # Not being afraid to share what has not worked
    ("P2-WG1-CN-02", "P2-WG2-CN-01"),
    ("P2-WG1-CN-02", "P2-WG2-WW-07"),
    # Guidance on the new Procurement Act
    ("P2-WG1-PS-01", "P2-WG2-CO-02"),
    ("P2-WG1-CO-05", "P2-WG2-CO-02"),
    # AI to inform decisions, with a human in the loop
    ("P1-WG3-PS-03", "P2-WG1-WW-01"),
    # Data standards
    ("P1-WG2-CN-08", "P2-WG1-CN-01"),
    ("P1-WG2-PS-01", "P2-WG1-CN-01"),
    # Share case studies and what good looks like
    ("P1-WG4-PS-06", "P2-WG1-PS-03"),
    ("P1-WG4-PS-13", "P2-WG1-PS-03"),
    ("P1-WG2-CO-04", "P1-WG4-PS-06"),
    ("P2-WG1-PS-03", "P2-WG2-WW-07"),
    # The quality of data: get the basics right
    ("P1-WG1-CN-02", "P2-WG3-PS-01"),
    ("P2-WG2-CN-04", "P2-WG3-PS-01"),
    # Knowledge and skills for leaders
    ("P1-WG1-CO-03", "P2-WG1-CN-07"),
    ("P1-WG3-PS-05", "P2-WG1-CN-07"),
    ("P2-WG1-CN-07", "P2-WG2-PS-02"),
    # A greater appetite for risk
    ("P1-WG3-CO-02", "P1-WG4-PS-02"),
    ("P1-WG2-WW-09", "P1-WG3-CO-02"),
    ("P1-WG4-PS-02", "P2-WG2-CN-01"),
    # Working beyond silos
    ("P1-WG2-CN-05", "P1-WG4-PS-11"),
    # Upskilling and reskilling
    ("P1-WG2-CN-01", "P2-WG2-WW-05"),
    ("P1-WG2-PS-05", "P2-WG3-CN-02"),
    ("P2-WG1-CO-03", "P2-WG2-WW-05"),
    # Measure social impact
    ("P1-WG2-PS-06", "P2-WG2-CN-06"),
    ("P1-WG1-PS-01", "P1-WG2-PS-06"),
]

NOT_SAME_POINT = [
    # Share words ("data", "sharing", "AI", "skills"), not the point.
    ("P1-WG1-WW-03", "P2-WG3-CN-01"),  # data sharing broke down barriers / the way we share data
    ("P1-WG3-WW-01", "P2-WG3-PS-03"),  # pandemic data sharing / security layers for data
    ("P2-WG4-CN-03", "P2-WG3-CO-06"),  # skills in detecting digital fraud / Bletchley guidance
    ("P1-WG4-WW-01", "P2-WG3-CO-01"),  # climate adaptation tool / Gemini Principles
    ("P2-WG2-CO-06", "P2-WG3-CO-03"),  # Saihub.info / AI@Socitm platform
    ("P1-WG2-CN-06", "P2-WG2-CN-08"),  # local government's brand / perceptions
    ("P2-WG1-CO-01", "P2-WG4-CN-02"),  # small councils' budgets / long-term investments
    ("P1-WG1-PS-04", "P2-WG2-PS-06"),  # humans on AI and workload / human versus machine
    ("P2-WG4-PS-06", "P1-WG4-CN-03"),  # educate children / better education
    ("P1-WG3-CO-04", "P2-WG3-PS-02"),  # low-risk AI with training / awareness of AI's limits
]


def full(reference):
    return f"SGH24-{reference}"
