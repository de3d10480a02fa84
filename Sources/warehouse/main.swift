import WarehouseCLI

WarehouseCommand.run()
