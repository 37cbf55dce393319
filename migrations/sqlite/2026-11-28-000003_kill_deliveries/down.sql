DROP TABLE kill_deliveries;
