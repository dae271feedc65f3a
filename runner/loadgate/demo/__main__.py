from loadgate.demo.service import main

main()
