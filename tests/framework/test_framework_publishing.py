"""Publishing templates: the `portal framework` commands and the programme admin's upload page."""
from __future__ import annotations

import io
import re
import textwrap

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.db import session
from portal.framework.loader import PACKAGE_DIR
from portal.framework.models import ProgrammeVersion, StandardsSetVersion
from portal.users.models import Role
from tests.conftest import parse
from tests.framework.helpers import ECDP_YAML, TEST_STANDARDS_YAML

ECF = PACKAGE_DIR / "programmes" / "ecf-5y.yaml"
ASYE = PACKAGE_DIR / "programmes" / "asye-cf.yaml"

# Every kind of mistake the issue lists, one per line, plus a line-numbered YAML error in a second file.
BAD_TEMPLATE = textwrap.dedent(
    """\
    code: BAD
    name: A bad programme
    version: 1
    standards:
      - {code: KSS-CF, version: "2018"}
    stages:
      - code: S1
        months: 12
        decision: summative
        requirements:
          - {code: obs, title: Observations, kind: casework, evidence: direct_observation, count: -2}
          - {code: obs, title: Again, kind: telepathy, count: 1}
          - {code: cov, title: Coverage, kind: casework, evidence: direct_observation, count: 1, standards: [KSS-CF.99]}
      - code: S1
        name: Duplicate stage
        months: 12
        decision: summative
    """
)


def counts() -> tuple[int, int, int]:
    sess = session()
    return (sess.execute(select(func.count(ProgrammeVersion.id))).scalar_one(),
            sess.execute(select(func.count(StandardsSetVersion.id))).scalar_one(),
            sess.execute(select(func.count(AuditEvent.id))).scalar_one())


def test_the_command_loads_both_shipped_templates_and_again_changes_nothing(runner):
    result = runner.invoke(args=["framework", "load", str(ECF), str(ASYE)])
    assert result.exit_code == 0, result.output
    assert "Programme ECF-5Y version 1 loaded" in result.output
    assert "Programme ASYE-CF version 1 loaded" in result.output
    stored = session().execute(select(ProgrammeVersion.code, ProgrammeVersion.version)).all()
    assert sorted(stored) == [("ASYE-CF", "1"), ("ECF-5Y", "1")]
    # the standards sets they use were stored with them
    assert {c for c, in session().execute(select(StandardsSetVersion.code))} == {"KSS-CF", "PCF", "SWE-PS"}
    before = counts()
    again = runner.invoke(args=["framework", "load", str(ECF)])
    assert again.exit_code == 0 and "already loaded with the same content: no change" in again.output
    builtin = runner.invoke(args=["framework", "load-builtin"])
    assert builtin.exit_code == 0, builtin.output
    assert counts() == before


def test_a_third_made_up_programme_and_its_standards_set_load_without_code_changes(runner, tmp_path):
    standards, programme = tmp_path / "ecs-t.yaml", tmp_path / "ecdp-t.yaml"
    standards.write_text(TEST_STANDARDS_YAML)
    programme.write_text(ECDP_YAML)
    result = runner.invoke(args=["framework", "load", str(programme), str(standards)])
    assert result.exit_code == 0, result.output
    assert "Standards set ECS-T version 1 loaded" in result.output
    version = session().execute(select(ProgrammeVersion).where(ProgrammeVersion.code == "ECDP-T")).scalar_one()
    from portal.framework.services import template_for

    template = template_for(version)
    assert template.version == "1.0.0" and template.stages[0].requirement("coverage").count == 2


def test_a_bad_template_lists_every_problem_with_its_line_and_writes_nothing(runner, tmp_path):
    bad, broken, good = tmp_path / "bad.yaml", tmp_path / "broken.yaml", tmp_path / "good.yaml"
    bad.write_text(BAD_TEMPLATE)
    broken.write_text("code: X\nstages: [\n  - oops: {\n")
    good.write_text(ECF.read_text())
    before = counts()
    result = runner.invoke(args=["framework", "load", str(good), str(bad), str(broken)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    expected = [
        (7, "is missing 'name'"),                  # a stage without a name
        (11, "count -2"),                          # a negative count
        (12, "uses code 'obs', already used"),     # a duplicate requirement code
        (12, "unknown kind 'telepathy'"),          # an unknown kind
        (13, "KSS-CF.99"),                         # a standard the programme does not define
        (14, "uses code 'S1', already used"),      # a duplicate stage code
    ]
    for line, fragment in expected:
        assert any(re.match(rf"^{re.escape(str(bad))}:{line}:\d+: .*{re.escape(fragment)}", text) for text in lines), \
            (line, fragment, result.output)
    assert any(text.startswith(f"{broken}:") for text in lines), result.output  # invalid YAML, with its line
    assert "nothing was loaded" in lines[-1]
    assert counts() == before  # not even the good file


def test_changed_content_under_a_published_version_is_refused(runner, tmp_path):
    original = tmp_path / "ecf.yaml"
    original.write_text(ECF.read_text())
    assert runner.invoke(args=["framework", "load", str(original)]).exit_code == 0
    stored = session().execute(select(ProgrammeVersion.content_hash)).scalar_one()
    changed = tmp_path / "ecf-changed.yaml"
    changed.write_text(ECF.read_text().replace("count: 3", "count: 4", 1))
    result = runner.invoke(args=["framework", "load", str(changed)])
    assert result.exit_code == 1
    assert "ECF-5Y version 1 is already loaded with different content" in result.output
    assert session().execute(select(ProgrammeVersion.content_hash)).scalar_one() == stored


# ------------------------------------------------------------------------------------------------ the upload page
def test_the_upload_page_takes_a_yaml_file_or_pasted_text(client, make_user, sign_in_as, page):
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    soup = page("/programmes/upload")
    form = soup.select_one("form[enctype='multipart/form-data']")
    assert form is not None
    assert form.select_one("input[type=file]")["accept"] == ".yaml,.yml"
    assert form.select_one("textarea[name=template_text]") is not None


def _publish(client, preview):
    form = preview.select_one("form[action='/programmes/publish']")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return client.post("/programmes/publish", data=data)


def test_programme_admin_checks_previews_and_publishes_the_shipped_templates(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    before = counts()
    response = client.post("/programmes/upload", content_type="multipart/form-data",
                           data={"template_file": (io.BytesIO(ECF.read_bytes()), "ecf-5y.yaml")})
    preview = parse(response)
    assert response.status_code == 200 and preview.h1.get_text() == "Check the template"
    text = preview.get_text()
    for stage in ("Year 1 (ASYE-equivalent)", "Years 3 and 4 (child protection specialism)",
                  "Expert child protection practitioner"):
        assert stage in text
    assert "Direct observations of practice" in text and "Knowledge assessment result" in text
    assert counts() == before  # the preview writes nothing
    published = _publish(client, preview)
    assert published.status_code == 302
    version = session().execute(select(ProgrammeVersion)).scalar_one()
    assert (version.code, version.version, version.source_name) == ("ECF-5Y", "1", "ecf-5y.yaml")
    detail = parse(client.get(published.headers["Location"]))
    assert "has been published" in detail.get_text() and "Year 5 (expert assessment)" in detail.get_text()

    pasted = parse(client.post("/programmes/upload", data={"template_text": ASYE.read_text()}))
    assert "Assessed and supported year in employment" in pasted.get_text()
    assert _publish(client, pasted).status_code == 302
    assert session().execute(select(func.count(ProgrammeVersion.id))).scalar_one() == 2
    # the same file again: the preview says so, and publishing changes nothing
    again = parse(client.post("/programmes/upload", data={"template_text": ASYE.read_text()}))
    assert "already published as version 1 with the same content" in again.get_text()
    before = counts()
    assert _publish(client, again).status_code == 302
    assert counts() == before


def test_a_third_programme_publishes_through_the_page(client, make_user, sign_in_as):
    from portal.framework.services import load_standards_set_text

    load_standards_set_text(TEST_STANDARDS_YAML, filename="ecs-t.yaml", by=None)
    session().commit()
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    preview = parse(client.post("/programmes/upload", data={"template_text": ECDP_YAML}))
    assert "Two-year induction" in preview.get_text()
    assert _publish(client, preview).status_code == 302
    assert session().execute(select(ProgrammeVersion.code)).scalar_one() == "ECDP-T"


def test_the_upload_page_lists_every_problem_and_writes_nothing(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    before = counts()
    soup = parse(client.post("/programmes/upload", data={"template_text": BAD_TEMPLATE}))
    assert soup.title.get_text().startswith("Error: ")
    summary = [li.get_text(" ", strip=True) for li in soup.select(".govuk-error-summary li")]
    assert len(summary) >= 6
    assert any(s.startswith("pasted-template.yaml:12:") and "unknown kind 'telepathy'" in s for s in summary)
    assert any(s.startswith("pasted-template.yaml:11:") and "count -2" in s for s in summary)
    assert soup.select_one(".app-problems") is not None
    assert soup.select_one("form[action='/programmes/publish']") is None
    assert counts() == before


@pytest.mark.parametrize("data, message", [
    ({}, "Select a YAML file or paste the template"),
    ({"template_file": (io.BytesIO(b"code: X"), "notes.txt")}, "must be a YAML file"),
    ({"template_file": (io.BytesIO(b"\xff\xfe\x00bad"), "t.yaml")}, "UTF-8"),
    ({"template_text": "code: [unclosed"}, "pasted-template.yaml:1:"),
])
def test_upload_refusals(client, make_user, sign_in_as, data, message):
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    soup = parse(client.post("/programmes/upload", data=data, content_type="multipart/form-data"))
    assert message in soup.select_one(".govuk-error-summary").get_text()


def test_a_tampered_publish_is_checked_again(client, make_user, sign_in_as):
    sign_in_as(make_user(Role.PROGRAMME_ADMIN))
    before = counts()
    soup = parse(client.post("/programmes/publish", data={"source_yaml": BAD_TEMPLATE, "source_name": "x.yaml"}))
    assert "unknown kind 'telepathy'" in soup.select_one(".govuk-error-summary").get_text()
    assert counts() == before


@pytest.mark.parametrize("role, list_status, upload_status", [
    (Role.PROGRAMME_ADMIN, 200, 200),
    (Role.EMPLOYER_ADMIN, 200, 403),
    (Role.PRACTITIONER, 403, 403),
    (Role.SUPERVISOR, 403, 403),
])
def test_who_sees_and_publishes_programmes(client, make_user, sign_in_as, role, list_status, upload_status):
    sign_in_as(make_user(role))
    assert client.get("/programmes").status_code == list_status
    assert client.get("/programmes/upload").status_code == upload_status
    assert client.post("/programmes/publish", data={"source_yaml": ECF.read_text()}).status_code in (
        {302} if upload_status == 200 else {403})


def test_carry_mappings_follows_the_crosswalks(app):
    from portal.framework.definitions import StandardsRef
    from portal.framework.services import carry_mappings

    kss, swe, pcf = StandardsRef("KSS-CF", "2018"), StandardsRef("SWE-PS", "2019"), StandardsRef("PCF", "2018")
    assert carry_mappings(kss, kss)["KSS-CF.3"] == ("KSS-CF.3",)
    assert carry_mappings(kss, swe)["KSS-CF.9"] == ("SWE-PS.3", "SWE-PS.4")
    assert carry_mappings(kss, pcf) is None
    assert carry_mappings(swe, kss) is None  # crosswalks are one way
