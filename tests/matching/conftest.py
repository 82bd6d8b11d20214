"""A small Chinese catalog of listed products from several merchants, for the matching tests."""

from dataclasses import dataclass

import pytest

from tests.matching.helpers import merchant, plan, product


@dataclass
class Catalog:
    anomaly: object  # 企业经营异常核验: what a bank checking a borrower wants
    credit: object  # 企业信用评分模型
    power: object  # 企业用电数据: shares the common words 企业/经营 and nothing else
    weather: object  # 气象灾害预警数据: research and public governance only
    footfall: object  # 商圈客流热力数据: marketing
    merchant: object
    merchant_user: object


@pytest.fixture
def catalog(db):
    """Five listed products; the anomaly check has a ¥0.50-per-call plan (10,000 calls quote ¥5,000)."""
    org, actor = merchant(name="上海某数据科技有限公司")
    anomaly = product(
        org,
        actor,
        name="企业经营异常核验",
        summary="核验企业是否列入经营异常名录",
        description="基于市场监管公共数据，实时核验企业经营异常名录状态，并返回行政处罚记录。",
        modes=("api", "verification"),
    )
    plan(anomaly, org, actor, price="0.50")
    credit = product(
        name="企业信用评分模型",
        summary="小微企业信用评分",
        description="融合司法、税务和工商登记信息，对小微企业信用进行评分，服务银行授信审批。",
        section="J",
        modes=("model",),
    )
    power = product(
        name="企业用电数据",
        summary="企业月度用电量统计",
        description="汇聚企业月度用电量，反映企业经营活跃度，服务能源管理。",
        section="D",
        modes=("dataset",),
    )
    weather = product(
        name="气象灾害预警数据",
        summary="逐小时灾害预警",
        description="气象部门发布的暴雨、台风等灾害预警。",
        section="N",
        allowed_purposes=["research", "public_governance"],
    )
    footfall = product(
        name="商圈客流热力数据",
        summary="商圈客流统计",
        description="基于手机信令的商圈客流热力，服务门店选址分析与精准营销。",
        section="R",
        allowed_purposes=["marketing"],
        modes=("dataset",),
    )
    return Catalog(anomaly, credit, power, weather, footfall, org, actor)
