# ruff: noqa: E501 (descriptor text, wrapped by the formatter)
"""The collaborative practice progress matrix (seed 004): the system linkage elements and, for
each, what Fundamentals for Improved Practice, Good Practice and Best Practice look like.

Data, not code: the descriptors are the seed's words. The seed lays the first three elements out
as a table; for the later ones it gives each element's descriptors as one list, in the matrix's
order from Fundamentals to Best practice, and the split into the three levels here follows that
order (a reading of the seed, to be checked by the Site Implementation Team).
"""

from django.db import models


class Level(models.TextChoices):
    FUNDAMENTALS = "fundamentals", "Fundamentals for improved practice"
    GOOD = "good", "Good practice"
    BEST = "best", "Best practice"


LEVEL_SUMMARY = {
    Level.FUNDAMENTALS: (
        "Beginning stages of collaborative work: system language differences clarified and "
        "basic information about each system shared."
    ),
    Level.GOOD: "The partners have identified and addressed key barriers to cross-system practice.",
    Level.BEST: (
        "Characteristics communities may strive for; few collaboratives have yet reached this "
        "level of practice and policy."
    ),
}

# (code, element, (fundamentals descriptors, good practice descriptors, best practice descriptors))
ELEMENTS: tuple[tuple[str, str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]], ...] = (
    (
        "mission_values",
        "Collaboration Mission, Underlying Values, and Principles",
        (
            (
                "The key partners—substance abuse, child welfare and courts—have begun values "
                "clarification using the CVI or other tools.",
                "The partners have agreed on individual and joint goals to serve whole families as their "
                "primary clients.",
                "The partners have identified barriers to collaboration based on differences in "
                "underlying values, including values related to relapse and recovery, children's needs, "
                "and laws such as time limits for reunification and required referrals.",
                "The partners have begun discussions concerning the priority for treatment of families in "
                "the child welfare system.",
            ),
            (
                "The partners have negotiated and endorsed a formal joint statement of principles. The "
                "statement covers (1) responses to children of parents in the treatment agencies, "
                "particularly those involved in child welfare services, and (2) responses to parents with "
                "substance abuse problems in the child welfare system.",
                "The partners have identified priorities among different kinds of families and are "
                "identifying the resources needed to respond to these groups.",
                "Other critical agencies have joined the collaborative's governance bodies, including "
                "mental health, child development, domestic violence, and housing agencies.",
            ),
            (
                "The partners have negotiated policy priorities for treating parents of children in child "
                "welfare and children of parents in treatment programs, and the partners conduct an "
                "annual review of the effects of the priorities on outcomes that all of the systems "
                "measure.",
                "The partners have extended shared goals for project-level operations to address "
                "system-wide changes needed for success in policies and practices across all the "
                "agencies.",
            ),
        ),
    ),
    (
        "screening_assessment",
        "Screening and Assessment",
        (
            (
                "The partners have a joint policy on roles and responsibilities regarding screening and "
                "assessment and appropriately addresses culture, language, and gender.",
                "The partners have jointly developed and implemented a risk and strengths assessment "
                "protocol that includes children's substance abuse prevention and treatments.",
                "Substance abuse staff members are out-stationed in child welfare court settings to "
                "provide screening and assessment.",
            ),
            (
                "Workers of all systems have received training in screening children of substance-abusing "
                "parents for developmental concerns.",
                "The partners have developed culture-, language-, and gender-appropriate joint case "
                "assessments and plans.",
                "The partners have reviewed and adapted multi-purpose assessment tools for family members "
                "with co-occurring mental health problems.",
            ),
            (
                "The partners have jointly developed and implemented quality assurance mechanisms for "
                "interpreting assessment information across multiple agencies.",
            ),
        ),
    ),
    (
        "engagement_retention",
        "Engagement and Retention",
        (
            (
                "Staff members have received training in motivational interviewing or other methods of "
                "engaging and retaining parents in treatment.",
                "Systems have agreed on procedures for cultural-, language, and gender-specific "
                "approaches to reaching out to parents who miss appointments.",
                "The partners have identified relapse as a major area needing clarification, and "
                "discussions are underway to develop a consensus on shared outcomes that reflects child "
                "safety and recovery goals.",
            ),
            (
                'Systems have begun "drop-off analysis" of the points at which parents are not responding '
                "to referrals and not complying with treatment requirements.",
                "Specialized outreach efforts to improve family participation and completion rates are "
                "implemented.",
                "Staff members understand and respond to potential conflicts between substance abuse "
                "issues and treatment requirements and child welfare and court requirements.",
                "Judicial officers and attorneys monitor compliance with court orders for treatment and "
                "case plans.",
            ),
            (
                "Family member relapse typically leads to a collaborative intervention to re-engage the "
                "family member in treatment and to re-assess the children's safety.",
                "Staff members monitor the effects of compliance with case plans and requirements on "
                "behavior changes and respond as needed with appropriate incentives and changes in "
                "treatment structure.",
                "The partners have agreed on how to implement and monitor the results of aftercare.",
            ),
        ),
    ),
    (
        "services_to_children",
        "Services to Children of Parents with Substance Use Disorders",
        (
            (
                "Each partner assesses children and youth for the effects of parental substance use as "
                "well as their own substance use and focuses on both child safety and family recovery.",
                "Each partner uses a developmental perspective to address the needs of children of "
                "substance abusers, from prenatal exposure through late adolescence.",
                "Staff members in each partner agency have been trained to understand the impact of "
                "trauma, parental substance use, and mental health disorders on child development.",
                "Programs and services respond to children's language, cultural, and family values and "
                "are gender and developmentally appropriate.",
            ),
            (
                "Each partner has developed and implemented early identification and intervention "
                "policies and protocols for children affected by parental substance abuse.",
                "Each partner links children and families to family treatment programs, and children of "
                "substance abusers receive prevention and intervention services.",
                "Each partner's staff members understand and carry out their roles in ensuring child "
                "safety and permanency.",
                "Independent-living programs include substance abuse prevention and intervention programs "
                "for youth.",
            ),
            (
                "The partners have integrated assessment, intervention, and treatment service planning "
                "across all of their child-serving programs. All children involved in child welfare are "
                "receiving appropriate interventions to address the impact of trauma and parental "
                "substance use and mental health disorders.",
                "The partners provide services using a family-centered approach and demonstrate an "
                "understanding of children's behavior within a developmental, historical, and cultural "
                "context.",
                "The partners consistently monitor and report referrals and services received by all "
                "children with prenatal and/or environmental exposure to parental substance abuse.",
            ),
        ),
    ),
    (
        "community_families",
        "Working with the Community and Supporting Families",
        (
            (
                "The planning and developmental process includes community members and families who are "
                "part of the team, the partners share information with these families, and the families "
                "make decisions jointly with the partners.",
                "Each partner engages in proactive substance abuse and child abuse prevention activities "
                "with community members and family support systems.",
                "Civic groups and faith-based communities are part of a collaborative system of community "
                "education about substance abuse, child abuse and neglect, and trauma.",
                "Mutual aid and recovery networks to families are in place.",
            ),
            (
                "Environmental data collection, such as mapping liquor outlets or tracking "
                "driving-under-the-influence arrests, supports community education.",
                "The partners have geo-mapped family resource centers and other community assets.",
                "Programs use consumers, families, graduates, or some combination of these individuals to "
                "help provide services.",
                "A formal mechanism solicits the support of a community advisory group that includes "
                "consumers.",
            ),
            (
                "Community supports sustain sober-living communities and other recovery support services, "
                "such as employment, educational, or vocational services, and drop-in centers.",
                "Sober-living and transitional-housing programs are linked to institutionalized sources "
                "of recovery support.",
                "Community-wide accountability systems (report cards) are in place and the partners use "
                "this information to redirect resources toward the highest priority areas and most "
                "effective programs.",
                "Community partnerships in child welfare recognize the critical nature of substance abuse "
                "among families in the child welfare system and have shown their willingness to provide "
                "active family support with substance-abusing parents who are in recovery.",
            ),
        ),
    ),
    (
        "communication_information",
        "Efficient Communication and Sharing Information Systems",
        (
            (
                "At intake, substance abuse assessment captures and utilizes data about child needs and "
                "child welfare assessment captures data about substance abuse issues.",
                "Data on the overlap between child welfare families and the caseloads of other systems "
                "are available to partners.",
                "The partners have documented the gaps in their current client information systems and "
                "are addressing these gaps.",
            ),
            (
                "An interagency process has identified the confidentiality regulations that affect links "
                "among partners has developed ways to share information while following these "
                "regulations.",
                "The partners use interagency communication protocols to share information throughout the "
                "life of each case (e.g., protective investigations through discharge from treatment to "
                "case closure). Partner agencies use standardized referral and progress reporting forms.",
                "The partners have developed information systems that track referrals, prior episodes, "
                "progress in treatment, and family outcomes for families served by both partners.",
            ),
            (
                "The partners have fully integrated their reports on screening, assessments, case plans, "
                "and treatment plans. Staff members regularly share case information and participate in "
                "case staffing or family team conferencing.",
                "The partners are using information systems to track parents through all three systems. "
                "The partners monitor family and treatment outcomes, using data to re-allocate resources "
                "to family and community needs and to the most effective programs.",
            ),
        ),
    ),
    (
        "budgeting_sustainability",
        "Budgeting and Program Sustainability",
        (
            (
                "The partners have begun to develop an inventory of all funds available for substance "
                "abuse treatment and children's services in the state or community.",
                "The partners have begun to identify the outcomes of innovative practices that merit "
                "sustained funding.",
                "Institutional barriers to sustaining effective programs have been identified and "
                "institutional changes to reduce those barriers have been tested.",
            ),
            (
                "The partners use Temporary Assistance to Needy Families, Medicaid, and other major "
                "funding sources regularly to fund substance abuse services (screening, assessment, case "
                "management, and treatment) for child welfare families.",
                "Community partners are providing access to services needed by families with substance "
                "use disorders in the child welfare system.",
                "Agencies and collaboratives have begun reviewing the impact of the Affordable Care Act, "
                "parity regulations and other health policy changes on their future funding streams for "
                "family treatment and children's services.",
            ),
            (
                "All partners have contributed to a multi-year funding plan that includes negotiated "
                "commitments from multiple funding sources, including those beyond the direct control of "
                "substance abuse and child welfare agencies.",
                "The partners have implemented a continuum of family-centered services supported by "
                "multiple funding sources",
                "An all-funds inventory is available and updated regularly.",
                "The best innovative programs are sustained beyond their initial funding based on a "
                "detailed multi-year sustainability plan",
            ),
        ),
    ),
    (
        "training_staff",
        "Training and Staff Development",
        (
            (
                "The partners have made commitments to provide development opportunities to staff in each "
                "system.",
                "The partners have begun to train all staff members using a curriculum that devotes "
                "adequate depth of knowledge to substance abuse, child welfare, and court issues. The "
                "partners plan to update this curriculum on a regular basis.",
                "Training for parents, guardians, and foster parents has begun to address the unique "
                "needs of children of parents with substance abuse or co-occurring disorders.",
            ),
            (
                "The partners have institutionalized training in each system using a curriculum that "
                "devotes adequate time to substance abuse and child welfare issues.",
                "The partners provide staff members with multi-disciplinary training, tapping ongoing "
                "funding sources",
                "Training for parents and foster parents addresses substance abuse issues. This training "
                "draws on parents' experience and lessons from services and prevention efforts for "
                "children of substance abusers and parents with co-occurring disorders.",
            ),
            (
                "The partners have engaged representatives from local colleges, universities, and law "
                "schools to develop pre-service education curricula that address cross-system issues, "
                "with monitored outcomes of training.",
                "The partners treat training for parents and foster parents and for professional staff as "
                "equally important.",
                "Agencies outside the three systems, including mental and primary health and domestic "
                "violence agencies, offer cross-training to the staff members of the three systems.",
            ),
        ),
    ),
    (
        "other_agencies",
        "Working with Other Agencies",
        (
            (
                "The collaborative has identified the basic set of partners who need to belong to the "
                "group, based on children and family needs and an inventory of available services",
                "Housing, family income support, employment, education, child and youth development, "
                "health, and mental health agencies have been made aware of the collaborative's needs for "
                "services from these and other agencies",
            ),
            (
                "New agencies and groups not part of the original collaborative have been welcomed into "
                "the network, based on their understanding of what they can offer and what they can get "
                "from working more closely with the collaborative",
                "Interagency memoranda of understanding and protocols have been developed to address "
                "children and family needs during aftercare and continuing recovery",
            ),
            (
                "Partners operate as equals in an authentically connected network that is able to track "
                "referrals and the results of referrals, with multidirectional feedback on results shared "
                "by all partners",
            ),
        ),
    ),
    (
        "joint_accountability",
        "Joint Accountability and Shared Outcomes",
        (
            (
                "Each partner has its own outcome measures and the capacity to measure outcomes within "
                "its system for families involved in the child welfare or court systems.",
                "The partners have agreed on some shared outcomes but each partner has primary "
                "accountability for its own measures of success.",
            ),
            (
                "The partners use outcome criteria in their contracts with community-based providers to "
                "measure their effectiveness in achieving shared outcomes.",
                "All agencies involved with the children of substance abusers and parents with "
                "co-occurring disorders share the same target outcomes and agree on the systems changes "
                "needed to achieve those outcomes at higher levels.",
            ),
            (
                "The child welfare agency has accepted shared accountability for recovery outcomes and "
                "the treatment agency has accepted shared accountability for the children of the parents "
                "it serves.",
                "All partners have accountability for safety, permanency, and well-being outcomes for "
                "children and families.",
                "The partners use summaries of outcome data from all three systems and other agencies "
                "that work with children and parents to inform policy leaders and the community about "
                "progress made in improving results.",
            ),
        ),
    ),
)

ELEMENT_CHOICES = [(code, name) for code, name, _ in ELEMENTS]
ELEMENT_NAMES = dict(ELEMENT_CHOICES)
