"""Controlled vocabularies of a registration (DESIGN §3.2, interop-v1 §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """Industry sections (门类) of GB/T 4754-2017."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water supply")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail trade")
    G = "G", _("G Transport, storage and postal services")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water, environment and public facilities management")
    O = "O", _("O Resident, repair and other services")  # noqa: E741
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration, social security and social organisations")
    T = "T", _("T International organisations")


class DataSourceType(models.TextChoices):
    PUBLIC = "public", _("Public data")
    ENTERPRISE = "enterprise", _("Enterprise data")
    PERSONAL = "personal", _("Personal information data")


class Classification(models.TextChoices):
    GENERAL = "general", _("General data")
    IMPORTANT = "important", _("Important data")
    CORE = "core", _("Core data (never registered)")


class DeliveryModeCode(models.TextChoices):
    API = "api", _("API")
    DATASET = "dataset", _("Dataset")
    VERIFICATION = "verification", _("Verification")
    MODEL = "model", _("Model")
    REPORT = "report", _("Report")


class UpdateFrequency(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    ONCE = "once", _("One-off")


class Right(models.TextChoices):
    """The three separated rights of 数据二十条."""

    RESOURCE_HOLDING = "resource_holding", _("Data resource holding right")
    PROCESSING_USE = "processing_use", _("Data processing and use right")
    PRODUCT_OPERATION = "product_operation", _("Data product operation right")


class Purpose(models.TextChoices):
    """Purposes a buyer may use a product for."""

    RISK_CONTROL = "risk_control", _("Credit and risk control")
    MARKETING = "marketing", _("Marketing and customer analysis")
    RESEARCH = "research", _("Scientific research")
    OPERATIONS = "operations", _("Business operations and planning")
    PRODUCT_DEVELOPMENT = "product_development", _("Product and model development")
    PUBLIC_GOVERNANCE = "public_governance", _("Public governance")
    PUBLIC_WELFARE = "public_welfare", _("Public welfare")


class PersonalDataBasis(models.TextChoices):
    CONSENT = "consent", _("Individual consent obtained")
    ANONYMISED = "anonymised", _("Anonymised so individuals cannot be identified")


class PriceRegime(models.TextChoices):
    GUIDED = "guided", _("Government-guided price")
    MARKET = "market", _("Market price")
    FREE = "free", _("Free use")
