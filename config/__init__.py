"""Settings for fangfei: typed, documented, fed by FANGFEI_* environment variables."""

from config.settings import (
    PROFILES,
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    Settings,
    TestingConfig,
    load_settings,
)

__all__ = [
    "PROFILES",
    "ConfigError",
    "DevelopmentConfig",
    "ProductionConfig",
    "Settings",
    "TestingConfig",
    "load_settings",
]
