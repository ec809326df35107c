"""The datasets departments send, one sheet per department (book "monitoring"): pure declarations, registered
with exchange in MonitoringConfig.ready(). Exchange reads and validates them; services.departments matches the
rows to the registry and raises the clues. Every sheet has 证件号码 and 姓名; the rest is the department's own."""

from fupin.core.sheets import Column, Sheet
from fupin.registry import codes as registry_codes

from .codes import Department
from .department_models import DepartmentRow

BOOK = "monitoring"

ID_NUMBER = Column(
    "id_number", "证件号码", "id", aliases=("身份证号", "身份证号码", "公民身份号码", "残疾人证号"), required=True
)
NAME = Column("name", "姓名", "text", max_length=40)
YEAR = Column("year", "年度", "int", low=2000, high=2100)

ASSISTANCE = (("dibao", "低保"), ("tekun", "特困"), ("temporary", "临时救助"))
ENROLMENT = (("enrolled", "在读"), ("dropped", "辍学"), ("suspended", "休学"), ("not_enrolled", "未入学"))
DISABILITY_CATEGORIES = (
    ("1", "视力残疾"),
    ("2", "听力残疾"),
    ("3", "言语残疾"),
    ("4", "肢体残疾"),
    ("5", "智力残疾"),
    ("6", "精神残疾"),
    ("7", "多重残疾"),
)
DISASTERS = tuple(
    (code, str(label).removeprefix("因自然灾害（").removesuffix("）"))
    for code, label in registry_codes.RiskType.choices
    if code.startswith("02")
)
HOUSING_GRADES = (("A", "A级"), ("B", "B级"), ("C", "C级危房"), ("D", "D级危房"))


def _sheet(department: Department, title, *columns: Column) -> Sheet:
    return Sheet(
        kind=f"dept_{department.value}",
        title=title,
        model=DepartmentRow,
        book=BOOK,
        key=("id_number",),
        columns=(ID_NUMBER, NAME, *columns),
        identified_by=tuple(c.name for c in columns if c.required),
    )


DEPARTMENT_SHEETS = {
    Department.MEDICAL: _sheet(
        Department.MEDICAL,
        "医保医疗费用",
        Column("burden", "三重保障后个人负担（元）", "money", aliases=("个人负担", "个人负担（元）"), required=True),
        Column("hospital_cost", "住院费用（元）", "money", aliases=("住院费用",)),
        YEAR,
    ),
    Department.CIVIL: _sheet(
        Department.CIVIL,
        "民政新增救助",
        Column("assistance", "救助类型", "code", choices=ASSISTANCE, required=True),
        Column("approved_on", "批准日期", "date"),
    ),
    Department.DISABILITY: _sheet(
        Department.DISABILITY,
        "残联新增残疾",
        Column("disability_category", "残疾类别", "code", choices=DISABILITY_CATEGORIES),
        Column("disability_level", "残疾等级", "int", low=1, high=4, required=True),
        Column("issued_on", "发证日期", "date"),
    ),
    Department.EDUCATION: _sheet(
        Department.EDUCATION,
        "教育学籍",
        Column("enrolment", "学籍状态", "code", choices=ENROLMENT, required=True),
        Column("school", "学校", "text", max_length=60),
    ),
    Department.LABOUR: _sheet(
        Department.LABOUR,
        "人社就业参保",
        Column("unemployed", "失业登记", "bool"),
        Column("uninsured_months", "断保月数", "int", low=0, high=600, required=True),
    ),
    Department.POLICE: _sheet(Department.POLICE, "公安死亡人员", Column("died_on", "死亡日期", "date", required=True)),
    Department.EMERGENCY: _sheet(
        Department.EMERGENCY,
        "应急灾害损失",
        Column("disaster", "灾害类型", "code", choices=DISASTERS, required=True),
        Column("loss", "损失（元）", "money", aliases=("损失", "损失金额"), required=True),
    ),
    Department.HOUSING: _sheet(
        Department.HOUSING,
        "住建危房",
        Column("housing_grade", "危房等级", "code", choices=HOUSING_GRADES, required=True),
    ),
}
