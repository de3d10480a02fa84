import WarehouseCLI

WarehouseCommand.main()
