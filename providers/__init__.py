"""The built-in providers, a package per kind of source; ``testing`` is the suite any
provider (a third party's too) runs to show it keeps the contract of
``catalog.discovery.Provider``."""
